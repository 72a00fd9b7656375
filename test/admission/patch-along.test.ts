// diffAlong() must give exactly what rfc6902's createPatch gives for the drafts admit() builds:
// shallow copies along a path, a deep copy at its end, edits anywhere on those copies.
import t from 'tap'
import fc from 'fast-check'
import { createPatch } from 'rfc6902'
import { diffAlong } from '../../src/admission/patch.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Copies along `keys` like admit()'s copyAlong, then applies `edit` at the deepest copy. */
function draftOf(before: Obj, keys: string[], edit: (o: Obj) => void): { after: Obj; walked: Set<unknown> } {
  const after: Obj = { ...before }
  const walked = new Set<unknown>([after])
  let cur = after
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    const v = cur[k]
    if (!isObj(v)) break
    const last = i === keys.length - 1
    const copy = last ? structuredClone(v) : { ...v }
    cur[k] = copy
    if (!last) walked.add(copy)
    cur = copy
  }
  edit(cur)
  return { after, walked }
}

const key = fc.constantFrom('a', 'b', 'c', 'x/y', 'm~n', 'spec', 'status')
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.string(),
    fc.constant(null),
    fc.boolean(),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  ),
})).node

t.test('diffAlong equals createPatch on copy-along drafts (property)', async (t) => {
  fc.assert(
    fc.property(
      fc.dictionary(key, value, { maxKeys: 5 }),
      fc.array(key, { maxLength: 3 }),
      key,
      value,
      fc.constantFrom('set', 'delete', 'deep'),
      (before, keys, k, v, how) => {
        const snapshot = structuredClone(before)
        const { after, walked } = draftOf(before, keys, (o) => {
          if (how === 'set') o[k] = v
          else if (how === 'delete') delete o[k]
          else if (isObj(o[k])) o[k] = { ...o[k], deep: v }
          else o[k] = { deep: v }
        })
        t.same(diffAlong(before, after, walked), createPatch(before, after))
        t.same(before, snapshot, 'before untouched')
      },
    ),
    { numRuns: 300 },
  )
})

t.test('identical drafts give no operations; pointers escape ~ and /', async (t) => {
  const before = { metadata: { annotations: { 'a/b~c': 'x' } } }
  const { after, walked } = draftOf(before, ['metadata', 'annotations'], (o) => {
    o['a/b~c'] = 'y'
  })
  t.same(diffAlong(before, after, walked), [{ op: 'replace', path: '/metadata/annotations/a~1b~0c', value: 'y' }])
  const same = draftOf(before, ['metadata'], () => {})
  t.same(diffAlong(before, same.after, same.walked), [])
})
