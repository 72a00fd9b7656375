import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { MAX_AUDIT_VALUE } from '../../src/rules/clearance-audit.js'
import { qualifiedNameProblem } from '../../src/rules/metadata.js'
import { aFailedExecution, aRequest, aWorkflowExecution, CONTROLLER, OPERATOR, testPolicy } from '../helpers/objects.js'
import { annotated, CLEAR, REASON, withClearance } from './clearance-fixtures.js'

// The apiserver's audit log gets the facts of every request that touches a block (issue 19).
const policy = testPolicy()
const WEBHOOK = 'validate.workflowexecution.kubernaut.ai'

function statusWrite(
  object: WorkflowExecution,
  user = OPERATOR,
  old = aFailedExecution(),
  webhook: 'validate' | 'mutate' | 'both' = 'validate',
) {
  return admit(aRequest({ operation: 'UPDATE', subResource: 'status', object, oldObject: old, userInfo: user }), policy, webhook)
}

t.test('an admitted Flow 1 clearance: who, which execution, which target, the reason, the method', async (t) => {
  const object = withClearance({ clearReason: REASON, clearedBy: OPERATOR.username, clearedAt: '2026-11-25T10:20:30Z' })
  const res = admit(
    aRequest({
      operation: 'UPDATE',
      subResource: 'status',
      object: withClearance({ clearReason: REASON }),
      oldObject: aFailedExecution(),
      userInfo: OPERATOR,
    }),
    policy,
    'both',
  )
  t.equal(res.response.allowed, true)
  t.same(res.response.auditAnnotations, {
    act: 'clear-block',
    decision: 'admitted',
    user: 'alice@kubernaut.ai',
    execution: 'kubernaut-system/wfe-payment-api-1',
    'execution-uid': '6f1c2d3e-0000-4000-8000-000000000001',
    target: 'payment/Deployment/payment-api',
    method: 'StatusField',
    reason: REASON,
  })
  t.ok(object)
  const mutate = statusWrite(withClearance({ clearReason: REASON }), OPERATOR, aFailedExecution(), 'mutate')
  t.match(
    mutate.response.auditAnnotations,
    { act: 'clear-block', decision: 'admitted' },
    'the mutating webhook annotates too, under its own name',
  )
})

t.test('a refused clearance names the rules that refused it, from either webhook', async (t) => {
  const short = statusWrite(withClearance({ clearReason: 'too short' }), OPERATOR, aFailedExecution(), 'mutate')
  t.equal(short.response.allowed, false)
  t.equal(short.response.auditAnnotations?.['decision'], 'refused')
  t.equal(short.response.auditAnnotations?.['denied-by'], 'block-clearance-attribution')
  const running = aWorkflowExecution((w) => (w.status = { phase: 'Running' }))
  const early = statusWrite(
    aWorkflowExecution((w) => (w.status = { phase: 'Running', blockClearance: { clearReason: REASON } as never })),
    OPERATOR,
    running,
    'both',
  )
  t.equal(early.response.auditAnnotations?.['decision'], 'refused')
  t.match(early.response.auditAnnotations?.['denied-by'], /block-clearance-requires-failed/)
})

t.test('Flow 2: the clear annotation, admitted and refused; the trusted copy is an exemption', async (t) => {
  const annotate = (old: WorkflowExecution, value: string) => {
    const object = structuredClone(old)
    object.metadata.annotations = { [CLEAR]: value }
    return admit(aRequest({ operation: 'UPDATE', object, oldObject: old, userInfo: OPERATOR }), policy, 'both')
  }
  const ok = annotate(aFailedExecution(), REASON)
  t.equal(ok.response.allowed, true)
  t.equal(ok.response.auditAnnotations?.['method'], 'Annotation')
  t.equal(ok.response.auditAnnotations?.['reason'], REASON)
  const refused = annotate(
    aWorkflowExecution((w) => (w.status = { phase: 'Running' })),
    REASON,
  )
  t.equal(refused.response.auditAnnotations?.['decision'], 'refused')
  const stored = aFailedExecution((w) => annotated(w))
  const copy = withClearance(
    { clearReason: REASON, clearedBy: OPERATOR.username, clearedAt: '2026-11-25T10:00:00Z', clearMethod: 'Annotation' },
    (w) => annotated(w),
  )
  const res = statusWrite(copy, CONTROLLER, stored)
  t.equal(res.response.allowed, true)
  t.equal(res.response.auditAnnotations?.['act'], 'copy-clearance')
  t.equal(res.response.auditAnnotations?.['exemption'], 'trusted-controller')
})

t.test('keys are what the apiserver accepts once prefixed, and values are bounded', async (t) => {
  const long = `${'word '.repeat(200)}end`
  const res = statusWrite(withClearance({ clearReason: long }), OPERATOR, aFailedExecution(), 'both')
  const ann = res.response.auditAnnotations ?? {}
  t.ok(Object.keys(ann).length > 0)
  for (const [k, v] of Object.entries(ann)) {
    t.notOk(k.includes('/'), `${k} carries no prefix of its own`)
    t.equal(qualifiedNameProblem(`${WEBHOOK}/${k}`), undefined, `${k} is a qualified name once prefixed`)
    t.ok(v.length <= MAX_AUDIT_VALUE, `${k} bounded`)
  }
  t.equal(ann['reason']?.length, MAX_AUDIT_VALUE)
})

t.test('routine writes carry none', async (t) => {
  const res = statusWrite(aFailedExecution(), CONTROLLER)
  t.equal(res.response.auditAnnotations, undefined)
  const create = admit(aRequest({ operation: 'CREATE', object: aWorkflowExecution() }), policy, 'both')
  t.equal(create.response.auditAnnotations, undefined)
})
