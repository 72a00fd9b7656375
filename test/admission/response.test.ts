import t from 'tap'
import { allowed, complete, denied, errored, patched, withWarnings } from '../../src/admission/response.js'
import { invalid } from '../../src/admission/field.js'

t.test('allowed', async (t) => {
  t.same(complete(allowed(), 'u1'), { uid: 'u1', allowed: true, status: { code: 200 } })
  t.same(complete(allowed('fine'), 'u1'), { uid: 'u1', allowed: true, status: { code: 200, message: 'fine' } })
})

t.test('denied is 403 Forbidden with the aggregate and causes', async (t) => {
  const e = invalid('spec.targetResource', 'x', 'must be namespace/kind/name or kind/name')
  t.same(complete(denied([e]), 'u2'), {
    uid: 'u2',
    allowed: false,
    status: {
      code: 403,
      reason: 'Forbidden',
      message: 'spec.targetResource: Invalid value: "x": must be namespace/kind/name or kind/name',
      details: {
        causes: [
          {
            type: 'FieldValueInvalid',
            field: 'spec.targetResource',
            message: 'Invalid value: "x": must be namespace/kind/name or kind/name',
          },
        ],
      },
    },
  })
})

t.test('errored carries the code and a reason', async (t) => {
  t.same(complete(errored(400, new Error('bad object')), 'u3'), {
    uid: 'u3',
    allowed: false,
    status: { code: 400, reason: 'BadRequest', message: 'bad object' },
  })
  t.same(complete(errored(500, 'oops'), 'u3'), {
    uid: 'u3',
    allowed: false,
    status: { code: 500, reason: 'InternalError', message: 'oops' },
  })
})

t.test('patched encodes base64 JSON Patch with patchType; an empty patch has neither', async (t) => {
  const ops = [{ op: 'add' as const, path: '/spec/executionConfig', value: { timeout: '30m' } }]
  const r = complete(patched(ops), 'u4')
  t.equal(r.patchType, 'JSONPatch')
  t.same(JSON.parse(Buffer.from(r.patch as string, 'base64').toString()), ops)
  const empty = complete(patched([]), 'u4')
  t.equal(empty.patch, undefined)
  t.equal(empty.patchType, undefined)
})

t.test('withWarnings appends and leaves the input untouched', async (t) => {
  const v = allowed()
  const w = withWarnings(withWarnings(v, 'a'), 'b')
  t.same(complete(w, 'u').warnings, ['a', 'b'])
  t.equal(v.warnings, undefined)
  t.equal(withWarnings(v), v)
})
