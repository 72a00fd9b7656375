// Validation ratcheting on UPDATE (src/admission/ratchet.ts, docs/rules.md "Ratcheting"): errors
// about values the request did not change do not deny, as the apiserver does for CRDs (KEP-4008);
// transition rules and what the apiserver itself refuses still deny.
import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import { ratchet, unchangedAt, unchangedField } from '../../src/admission/ratchet.js'
import { compilePolicy } from '../../src/policy.js'
import { defineRule, type RuleContext } from '../../src/admission/rule-contract.js'
import { invalid, required } from '../../src/admission/field.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { CONTROLLER, OPERATOR, TEST_OPTIONS, aFailedExecution, aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { message, ruleIds } from '../helpers/verdict.js'

const policy = testPolicy()
type Status = Record<string, any>

/** A running execution as stored, with `bad` applied to its status (written while the webhook was off). */
function storedRunning(bad: (s: Status) => void = () => {}): WorkflowExecution {
  return aWorkflowExecution((w) => {
    w.metadata.finalizers = ['kubernaut.ai/cleanup']
    w.spec.executionConfig = { timeout: '30m' }
    const s: Status = { phase: 'Running', executionEngine: 'tekton', startTime: '2026-11-25T09:00:00Z' }
    bad(s)
    w.status = s
  })
}

const statusWrite = (old: WorkflowExecution, edit: (s: Status) => void, userInfo = CONTROLLER) => {
  const object = structuredClone(old)
  edit(object.status as Status)
  return admit(aRequest({ operation: 'UPDATE', subResource: 'status', userInfo, object, oldObject: old }), policy, 'validate')
}

t.test('a status write that leaves a stored bad value alone is allowed, with one warning naming the rule', async (t) => {
  const old = storedRunning((s) => {
    s.startTime = 'yesterday'
  })
  const r = statusWrite(old, (s) => {
    s.phase = 'Completed'
    s.completionTime = '2026-11-25T09:05:00Z'
  })
  t.equal(r.response.allowed, true)
  t.same(r.response.warnings, [
    'status.startTime: Invalid value: "yesterday": must be an RFC 3339 date-time such as 2026-11-25T10:20:30Z (already stored and unchanged by this update, so not denied (validation ratcheting); rule schema-status)',
  ])
  t.same(
    r.violations.map((v) => [v.error.origin, v.severity, v.ratcheted]),
    [['schema-status', 'warn', true]],
  )
})

t.test('several ratcheted errors of one rule give one warning that counts the rest', async (t) => {
  const old = storedRunning((s) => {
    s.startTime = 'yesterday'
    s.duration = 300
    s.observedGeneration = '2'
  })
  const r = statusWrite(old, (s) => {
    s.phase = 'Failed'
  })
  t.equal(r.response.allowed, true)
  t.equal(r.response.warnings?.length, 1)
  t.match(r.response.warnings?.[0], /rule schema-status, and 2 more like it\)$/)
})

t.test('changing a bad value to another bad value denies; fixing it passes without a warning', async (t) => {
  const old = storedRunning((s) => {
    s.startTime = 'yesterday'
  })
  const worse = statusWrite(old, (s) => {
    s.startTime = 'today'
  })
  t.equal(worse.response.allowed, false)
  t.equal(message(worse), 'status.startTime: Invalid value: "today": must be an RFC 3339 date-time such as 2026-11-25T10:20:30Z')
  const fixed = statusWrite(old, (s) => {
    s.startTime = '2026-11-25T09:00:00Z'
  })
  t.equal(fixed.response.allowed, true)
  t.equal(fixed.response.warnings, undefined)
})

t.test('a new bad value next to a stored one denies for the new one only', async (t) => {
  const old = storedRunning((s) => {
    s.startTime = 'yesterday'
  })
  const r = statusWrite(old, (s) => {
    s.completionTime = 'soon'
  })
  t.equal(r.response.allowed, false)
  t.equal(message(r), 'status.completionTime: Invalid value: "soon": must be an RFC 3339 date-time such as 2026-11-25T10:20:30Z')
  t.same(ruleIds(r, 'warn'), ['schema-status'])
})

t.test('a stored unsupported enum value does not block routine status writes', async (t) => {
  // A condition's status is an enum in metav1.Condition (executionStatus.status has no marker: it only warns).
  const condition = (status: string) => ({
    type: 'Ready',
    status,
    lastTransitionTime: '2026-11-25T09:00:00Z',
    reason: 'Checked',
    message: '',
  })
  const old = storedRunning((s) => {
    s.conditions = [condition('Yes')] as never
  })
  const r = statusWrite(old, (s) => {
    s.phase = 'Completed'
  })
  t.equal(r.response.allowed, true)
  // The enum rule reads only its own field, which did not change: it is not evaluated at all.
  t.same(r.violations, [])
  const changed = statusWrite(old, (s) => {
    s.conditions = [condition('No')] as never
  })
  t.equal(message(changed), 'status.conditions[0].status: Unsupported value: "No": supported values: "True", "False", "Unknown"')
})

t.test('Required is judged at the parent: a change elsewhere in the parent is not ratcheted', async (t) => {
  const old = storedRunning((s) => {
    s.executionStatus = { reason: 'Running' }
  })
  const elsewhere = statusWrite(old, (s) => {
    s.phase = 'Completed'
  })
  t.equal(elsewhere.response.allowed, true)
  t.match(elsewhere.response.warnings?.[0], /^status\.executionStatus\.status: Required value/)
  const parent = statusWrite(old, (s) => {
    s.executionStatus.reason = 'Succeeded'
  })
  t.equal(parent.response.allowed, false)
  t.equal(message(parent), 'status.executionStatus.status: Required value')
})

t.test('transition rules are never ratcheted', async (t) => {
  const old = storedRunning()
  const back = statusWrite(old, (s) => {
    s.phase = 'Pending'
  })
  t.same(ruleIds(back, 'deny'), ['phase-transition'])
  const engine = statusWrite(old, (s) => {
    s.executionEngine = 'job'
  })
  t.same(ruleIds(engine, 'deny'), ['execution-engine-immutable'])
})

t.test(
  'a CEL rule that reads oldObject denies even when the value did not change (the apiserver never ratchets oldSelf rules)',
  async (t) => {
    const mustChange = defineRule({
      id: 'revision-must-change',
      description: 'test',
      kind: 'validate',
      severity: 'deny',
      operations: ['UPDATE'],
      subresources: [''],
      field: 'metadata.labels[revision]',
      message: 'must change on every update',
      expression: "object.metadata.?labels.?revision.orValue('') != oldObject.metadata.?labels.?revision.orValue('')",
    })
    const p = compilePolicy(TEST_OPTIONS, [mustChange])
    const old = aWorkflowExecution((w) => {
      w.metadata.labels = { revision: '1' }
    })
    const object = aWorkflowExecution((w) => {
      w.metadata.labels = { revision: '1' }
      w.metadata.finalizers = []
    })
    const r = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), p, 'validate')
    t.equal(r.response.allowed, false)
    t.same(ruleIds(r, 'deny'), ['revision-must-change'])
  },
)

t.test('a typed rule that compares with the stored object is not ratcheted: it reports nothing on the stored object alone', async (t) => {
  // metadata-immutable: the value at metadata.name changed, so nothing to ratchet; the stored-object
  // test is what keeps rules whose error path is unchanged (clearance truthfulness) denying.
  const old = storedRunning()
  const clearance = aFailedExecution((w) => {
    w.status!.blockClearance = { clearedBy: '', clearReason: 'too short', clearMethod: 'StatusField' }
  })
  const stored = aFailedExecution((w) => {
    w.status!.blockClearance = {
      clearedBy: '',
      clearReason: 'manual investigation complete, cluster state verified',
      clearMethod: 'StatusField',
    }
  })
  const r = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: OPERATOR, object: clearance, oldObject: stored }),
    policy,
    'validate',
  )
  t.equal(r.response.allowed, false)
  t.ok(ruleIds(r, 'deny').includes('block-clearance-truthful'), 'clearedBy "" is unchanged, yet still denied')
  t.ok(old)
})

t.test('metadata-only writes: a finalizer removal passes over stored content errors', async (t) => {
  const old = aWorkflowExecution((w) => {
    w.metadata.finalizers = ['kubernaut.ai/cleanup']
    ;(w.spec as unknown as Record<string, unknown>)['confidence'] = 'high'
    w.spec.targetResource = 'payment//payment-api'
    ;(w.spec.parameters as Record<string, unknown>)['bad-key'] = 'x'
  })
  const object = structuredClone(old)
  object.metadata.finalizers = []
  for (const webhook of ['mutate', 'validate'] as const) {
    const r = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), policy, webhook)
    t.equal(r.response.allowed, true, webhook)
    t.equal(r.response.patch, undefined, webhook)
  }
})

t.test('labels and annotations are never ratcheted: the apiserver refuses them on every write itself', async (t) => {
  const old = aWorkflowExecution((w) => {
    w.metadata.labels = { 'bad key!': 'x' }
    w.metadata.finalizers = ['kubernaut.ai/cleanup']
  })
  const object = structuredClone(old)
  object.metadata.finalizers = []
  const r = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), policy, 'validate')
  t.same(ruleIds(r, 'deny'), ['metadata-apiserver'])
})

t.test('a /status write does not re-judge spec, a main-resource write does not re-judge status', async (t) => {
  const old = storedRunning((s) => {
    s.startTime = 'yesterday'
  })
  ;(old.spec as unknown as Record<string, unknown>)['confidence'] = 'high'
  const status = statusWrite(old, (s) => {
    s.phase = 'Completed'
  })
  t.equal(status.response.allowed, true)
  t.notOk(ruleIds(status).includes('schema-spec'))
  const object = structuredClone(old)
  object.metadata.labels = { ...object.metadata.labels, team: 'payments' }
  const main = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), policy, 'validate')
  t.equal(main.response.allowed, true)
  t.same(main.violations, [])
})

t.test('CREATE is never ratcheted', async (t) => {
  const object = aWorkflowExecution((w) => {
    ;(w.spec as unknown as Record<string, unknown>)['confidence'] = 'high'
  })
  t.same(ruleIds(admit(aRequest({ object }), policy, 'validate'), 'deny'), ['schema-spec'])
})

t.test('a clearance on an object with stored content errors is attributed and audited', async (t) => {
  const stored = aFailedExecution((w) => {
    w.status!.startTime = 'yesterday'
  })
  const object = structuredClone(stored)
  object.status!.blockClearance = {
    clearedBy: '',
    clearReason: 'manual investigation complete, cluster state verified',
    clearMethod: 'StatusField',
  }
  const r = admit(aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: OPERATOR, object, oldObject: stored }), policy, 'mutate')
  t.equal(r.response.allowed, true)
  t.equal(r.effects.length, 1, 'the validating webhook will ratchet the stored error, so the audit record stays')
  const v = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: OPERATOR, object: r.mutated, oldObject: stored }),
    policy,
    'validate',
  )
  t.equal(v.response.allowed, true)
  t.same(ruleIds(v, 'warn'), ['schema-status'])
})

t.test('unchangedAt: the value an error is about, compared without regard to key order', async (t) => {
  const a = { status: { x: { b: 1, a: [1, { c: 2 }] }, list: [{ s: 'A' }, { s: 'B' }] } }
  const b = { status: { x: { a: [1, { c: 2 }], b: 1 }, list: [{ s: 'A' }, { s: 'C' }] } }
  t.ok(unchangedAt(invalid('status.x', 1, 'd'), a, b))
  t.ok(unchangedAt(invalid('status.x.a[1].c', 1, 'd'), a, b), 'a path into an unchanged list')
  t.notOk(unchangedAt(invalid('status.list[0].s', 1, 'd'), a, b), 'list items are not correlated: the changed list counts')
  t.ok(unchangedAt(invalid('status.missing.deep', 1, 'd'), a, b), 'absent in both')
  t.notOk(unchangedAt(required('status.x.z', 'd'), a, { status: { x: { a: [], b: 1 } } }), 'Required: the parent changed')
  t.ok(unchangedAt(required('status.x.z', 'd'), a, b), 'Required: the parent is the same')
  t.notOk(unchangedAt(invalid('status.x', 1, 'd'), { status: { x: null } }, { status: {} }), 'null is not absent')
})

t.test('unchangedField: absent in both counts as changed, so Required at the field is judged by its parent', async (t) => {
  t.ok(unchangedField(['status', 'phase'], { status: { phase: 'A' } }, { status: { phase: 'A' } }))
  t.notOk(unchangedField(['status', 'phase'], { status: {} }, { status: {} }))
  t.notOk(unchangedField(['status', 'phase'], { status: { phase: 'A' } }, { status: { phase: 'B' } }))
})

t.test('ratchet() never evaluates the stored object when no error is about an unchanged value', async (t) => {
  let runs = 0
  const v = {
    id: 'x',
    severity: 'deny' as const,
    path: ['status'],
    run: () => {
      runs++
      return [invalid('status.a', 1, 'd')]
    },
  }
  const ctx: RuleContext = {
    request: aRequest({ operation: 'UPDATE' }),
    object: { status: { a: 2 } } as never,
    oldObject: { status: { a: 1 } } as never,
    options: TEST_OPTIONS,
    now: new Date(),
  }
  const out = ratchet(v, [invalid('status.a', 2, 'd')], ctx)
  t.equal(out.kept.length, 1)
  t.equal(runs, 0)
})
