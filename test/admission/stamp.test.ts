// Every error and every warning is a value carrying its rule id and field path, stamped by the
// core: a rule that forgets its id still shows under it, and check reads the id, never guesses it.
import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import { invalid, warning } from '../../src/admission/field.js'
import { compilePolicy } from '../../src/policy.js'
import { defineRule } from '../../src/admission/rule-contract.js'
import { runCheck } from '../../src/cli/check/run.js'
import { aFailedExecution, aRequest, aWorkflowExecution, OPERATOR, TEST_OPTIONS } from '../helpers/objects.js'
import { withClearance, REASON } from '../rules/clearance-fixtures.js'

const forgetful = [
  defineRule({
    id: 'forgetful-check',
    description: 'returns an error without an origin',
    kind: 'validate',
    severity: 'warn',
    operations: ['CREATE'],
    subresources: [''],
    field: 'spec.rationale',
    check: () => [invalid('spec.rationale', 'x', 'no origin given')],
  }),
  defineRule({
    id: 'forgetful-mutation',
    description: 'returns a warning without an origin',
    kind: 'mutate',
    operations: ['CREATE'],
    subresources: [''],
    field: 'metadata.labels',
    mutate: () => ({ warnings: [warning('metadata.labels[team]', 'looked at, not changed')] }),
  }),
  defineRule({
    id: 'forgetful-cel',
    description: 'a CEL rule',
    kind: 'validate',
    severity: 'deny',
    operations: ['CREATE'],
    subresources: [''],
    field: 'spec.confidence',
    expression: 'object.spec.confidence > 0.99',
    message: 'too unsure',
  }),
]

t.test('the core stamps the rule id on typed, CEL and mutation findings', async (t) => {
  const r = admit(aRequest({ object: aWorkflowExecution() }), compilePolicy(TEST_OPTIONS, [], forgetful), 'both')
  t.same(
    r.violations.map((v) => [v.error.origin, v.error.field, v.severity]),
    [
      ['forgetful-check', 'spec.rationale', 'warn'],
      ['forgetful-cel', 'spec.confidence', 'deny'],
    ],
  )
  t.same(r.mutationWarnings, [{ field: 'metadata.labels[team]', detail: 'looked at, not changed', origin: 'forgetful-mutation' }])
  t.same(
    r.response.warnings,
    ['metadata.labels[team]: looked at, not changed', 'spec.rationale: Invalid value: "x": no origin given'],
    'the client still sees strings',
  )
})

t.test('check names the block-clearance warning by its rule, block-clearance-attribution', async (t) => {
  const stored = aFailedExecution()
  const cleared = withClearance({ clearReason: REASON, clearMethod: 'Annotation' })
  const doc = (object: unknown, line: number) => ({ source: { file: 'x.yaml', line }, object })
  const { results } = runCheck([doc(cleared, 1)], [doc(stored, 1)], compilePolicy(TEST_OPTIONS), {
    validate: 'strict',
    subresource: 'status',
    userInfo: OPERATOR,
    dryRun: false,
    namespace: 'kubernaut-system',
  })
  t.equal(results[0]?.allowed, true)
  t.match(results[0]?.findings, [
    {
      ruleId: 'block-clearance-attribution',
      severity: 'warn',
      field: 'status.blockClearance.clearedBy',
      message: /^status\.blockClearance\.clearedBy: attributed to "alice@kubernaut\.ai" from the request/,
    },
  ])
})

t.test("the rule's own id wins over anything a finding carries", async (t) => {
  const liar = defineRule({
    id: 'liar',
    description: 'returns an error claiming another rule',
    kind: 'validate',
    severity: 'deny',
    operations: ['CREATE'],
    subresources: [''],
    field: 'spec.rationale',
    // A rule written in plain JavaScript could still hand one over; the core overwrites it.
    check: () => [{ ...invalid('spec.rationale', 'x', 'mine'), origin: 'spec-immutable' }],
  })
  const r = admit(aRequest({ object: aWorkflowExecution() }), compilePolicy(TEST_OPTIONS, [], [liar]), 'both')
  t.same(
    r.violations.map((v) => v.error.origin),
    ['liar'],
  )
})
