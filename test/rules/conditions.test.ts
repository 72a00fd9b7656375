import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { CONDITION_CONSTRAINTS } from '../../src/rules/conditions.js'
import { CONTROLLER, aFailedExecution, aRequest, testPolicy } from '../helpers/objects.js'
import { message, triples } from '../helpers/verdict.js'

const policy = testPolicy()

const condition = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'Ready',
  status: 'True',
  lastTransitionTime: '2026-11-25T09:00:00Z',
  reason: 'Checked',
  message: 'm',
  ...over,
})

function withConditions(conditions: unknown[]): AdmitResult {
  const object = aFailedExecution((w) => {
    ;(w.status as unknown as Record<string, unknown>).conditions = conditions
  })
  // Stored without conditions: conditions stored unchanged would be ratcheted, not judged.
  const oldObject = aFailedExecution((w) => {
    delete (w.status as unknown as Record<string, unknown>).conditions
  })
  return admit(aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, object, oldObject }), policy, 'validate')
}

t.test("valid conditions, including the seed's own and the longest allowed values", async (t) => {
  const ok = [
    condition({ type: 'TokenTTLInsufficient', reason: 'TokenTTLShortened' }),
    condition({ type: 'kubernaut.ai/Ready', reason: 'A:b,c_d', observedGeneration: 0 }),
    condition({ type: `example.com/${'T'.repeat(316 - 'example.com/'.length)}` }),
    condition({ reason: 'R'.repeat(1024), message: 'x'.repeat(32768) }),
    condition({ message: '' }),
    condition({ message: '€'.repeat(32768) }), // characters, not bytes or UTF-16 units
  ]
  t.same(triples(withConditions(ok)), [])
})

t.test('each constraint of metav1.Condition is enforced, one error per field', async (t) => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ type: 'bad type' }, 'status.conditions[0].type', 'FieldValueInvalid'],
    [{ type: '-Ready' }, 'status.conditions[0].type', 'FieldValueInvalid'],
    [{ type: 'Example.com/Ready' }, 'status.conditions[0].type', 'FieldValueInvalid'],
    [{ type: 'T'.repeat(317) }, 'status.conditions[0].type', 'FieldValueTooLong'],
    [{ reason: '' }, 'status.conditions[0].reason', 'FieldValueInvalid'],
    [{ reason: 'has space' }, 'status.conditions[0].reason', 'FieldValueInvalid'],
    [{ reason: '1Reason' }, 'status.conditions[0].reason', 'FieldValueInvalid'],
    [{ reason: 'Ends,' }, 'status.conditions[0].reason', 'FieldValueInvalid'],
    [{ reason: 'R'.repeat(1025) }, 'status.conditions[0].reason', 'FieldValueTooLong'],
    [{ message: 'x'.repeat(32769) }, 'status.conditions[0].message', 'FieldValueTooLong'],
    [{ observedGeneration: -1 }, 'status.conditions[0].observedGeneration', 'FieldValueInvalid'],
  ]
  for (const [over, field, type] of cases) {
    const r = withConditions([condition(over)])
    t.same(triples(r), [['condition-schema', field, type]], JSON.stringify(over).slice(0, 60))
    t.equal(r.response.allowed, false)
  }
})

t.test("golden messages in the apiserver's words", async (t) => {
  t.equal(
    message(withConditions([condition(), condition({ reason: 'not valid' })])),
    `status.conditions[1].reason: Invalid value: "not valid": conditions[1].reason in body should match '${CONDITION_CONSTRAINTS.reason.pattern}'`,
  )
  t.equal(
    message(withConditions([condition({ message: 'x'.repeat(32769) })])),
    'status.conditions[0].message: Too long: may not be more than 32768 bytes',
  )
  t.equal(
    message(withConditions([condition({ reason: '' })])),
    'status.conditions[0].reason: Invalid value: "": conditions[0].reason in body should be at least 1 chars long',
  )
})

t.test('conditions stored unchanged are not judged again (ratcheting, as the apiserver does)', async (t) => {
  const object = aFailedExecution((w) => {
    ;(w.status as unknown as Record<string, unknown>).conditions = [condition({ reason: 'not valid' })]
  })
  const r = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, object, oldObject: structuredClone(object) }),
    policy,
    'validate',
  )
  t.equal(r.response.allowed, true)
})

t.test("missing required fields and wrong types are schema-status's", async (t) => {
  const r = withConditions([{ type: 'Ready', status: 'True' }, condition({ reason: 5 })])
  t.same(
    triples(r).map(([o]) => o),
    ['schema-status', 'schema-status', 'schema-status', 'schema-status'],
  )
  t.same(
    triples(r)
      .map(([, f]) => f)
      .sort(),
    [
      'status.conditions[0].lastTransitionTime',
      'status.conditions[0].message',
      'status.conditions[0].reason',
      'status.conditions[1].reason',
    ],
  )
})

t.test('the CRD declares exactly these constraints', async (t) => {
  const crd = parse(readFileSync(new URL('../../manifests/crd/workflowexecution.yaml', import.meta.url), 'utf8'))
  const item = crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.conditions.items
  t.same(item.required, ['type', 'status', 'lastTransitionTime', 'reason', 'message'])
  t.match(item.properties.type, CONDITION_CONSTRAINTS.type)
  t.match(item.properties.reason, CONDITION_CONSTRAINTS.reason)
  t.match(item.properties.message, CONDITION_CONSTRAINTS.message)
  t.match(item.properties.observedGeneration, CONDITION_CONSTRAINTS.observedGeneration)
  t.equal(item.properties.lastTransitionTime.format, 'date-time')
})
