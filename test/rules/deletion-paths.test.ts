import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import type { UserInfo } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { CASCADE_DELETERS } from '../../src/rules/clearance-lifting.js'
import { aFailedExecution, aRequest, aWorkflowExecution, OPERATOR, testPolicy } from '../helpers/objects.js'
import { message, ruleIds } from '../helpers/verdict.js'
import { annotated } from './clearance-fixtures.js'

// Issue 19: every way an execution can disappear is judged, and an owner cannot be grafted on to
// borrow the garbage collector's exemption. Judged with every built-in rule loaded.
const policy = testPolicy()
const GC: UserInfo = { username: CASCADE_DELETERS[0]!, groups: ['system:serviceaccounts', 'system:authenticated'] }

function terminating(w: WorkflowExecution): void {
  w.metadata.deletionTimestamp = '2026-11-25T09:10:00Z'
  w.metadata.finalizers = ['example.com/hold']
}

function update(old: WorkflowExecution, object: WorkflowExecution, user: UserInfo = OPERATOR) {
  return admit(aRequest({ operation: 'UPDATE', object, oldObject: old, userInfo: user }), policy, 'both')
}

t.test('removing the last finalizer of a terminating, blocked, uncleared execution is refused like its DELETE', async (t) => {
  const old = aFailedExecution(terminating)
  const res = update(
    old,
    aFailedExecution((w) => (w.metadata.deletionTimestamp = '2026-11-25T09:10:00Z')),
  )
  t.equal(res.response.allowed, false)
  t.same(ruleIds(res, 'deny'), ['blocked-finalizer-removal-refused'])
  t.match(
    message(res),
    /^metadata\.finalizers: Forbidden: "wfe-payment-api-1" failed during execution and blocks remediation of "payment\/Deployment\/payment-api"; removing its last finalizer \(which deletes it\) would lift the block/,
  )
  t.same(res.response.auditAnnotations, {
    act: 'remove-last-finalizer-blocked',
    decision: 'refused',
    user: 'alice@kubernaut.ai',
    execution: 'kubernaut-system/wfe-payment-api-1',
    'execution-uid': '6f1c2d3e-0000-4000-8000-000000000001',
    target: 'payment/Deployment/payment-api',
    'denied-by': 'blocked-finalizer-removal-refused',
  })
})

t.test('the exemptions and the cases that lift nothing', async (t) => {
  const old = aFailedExecution(terminating)
  const bare = (): WorkflowExecution => aFailedExecution((w) => (w.metadata.deletionTimestamp = '2026-11-25T09:10:00Z'))
  const gc = update(old, bare(), GC)
  t.equal(gc.response.allowed, true, 'the garbage collector may remove it')
  t.equal(gc.response.auditAnnotations?.['exemption'], 'cascade-deleter')
  t.equal(gc.response.auditAnnotations?.['decision'], 'admitted')
  const two = aFailedExecution((w) => {
    terminating(w)
    w.metadata.finalizers = ['a.example.com/x', 'b.example.com/y']
  })
  t.equal(update(two, aFailedExecution(terminating)).response.allowed, true, 'one of two finalizers: still not deleted')
  const cleared = aFailedExecution((w) => {
    terminating(w)
    annotated(w)
  })
  const clearedNow = structuredClone(cleared)
  delete clearedNow.metadata.finalizers
  t.equal(update(cleared, clearedNow).response.allowed, true, 'a cleared execution')
  const running = aWorkflowExecution((w) => {
    terminating(w)
    w.status = { phase: 'Running' }
  })
  const runningNow = structuredClone(running)
  delete runningNow.metadata.finalizers
  const r = update(running, runningNow)
  t.equal(r.response.allowed, true, 'no block in force')
  t.equal(r.response.auditAnnotations, undefined, 'nothing about a block to audit')
  const live = aFailedExecution((w) => (w.metadata.finalizers = ['example.com/hold']))
  t.equal(update(live, aFailedExecution()).response.allowed, true, 'not terminating: removing a finalizer deletes nothing')
})

t.test('ownerReferences: set at CREATE, removable, never added or changed', async (t) => {
  const ref = { apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: 'rr', uid: 'owner-1', controller: true }
  const created = admit(
    aRequest({ operation: 'CREATE', object: aWorkflowExecution((w) => (w.metadata.ownerReferences = [ref])) }),
    policy,
    'validate',
  )
  t.notOk(ruleIds(created).includes('owner-references-immutable'), 'CREATE may set owners')
  const owned = aFailedExecution((w) => (w.metadata.ownerReferences = [ref]))
  const added = update(aFailedExecution(), owned)
  t.equal(added.response.allowed, false, 'added after CREATE')
  t.match(message(added), /^metadata\.ownerReferences\[0\]: Forbidden: an owner cannot be added after creation/)
  const changed = update(
    owned,
    aFailedExecution((w) => (w.metadata.ownerReferences = [{ ...ref, name: 'other' }])),
  )
  t.match(message(changed), /^metadata\.ownerReferences\[0\]: Forbidden: an owner reference cannot be changed \(changed: name\)/)
  const blocking = update(
    owned,
    aFailedExecution((w) => (w.metadata.ownerReferences = [{ ...ref, blockOwnerDeletion: true }])),
  )
  t.match(message(blocking), /changed: blockOwnerDeletion/)
  t.equal(update(owned, aFailedExecution()).response.allowed, true, 'removing is allowed')
  const unblocked = aFailedExecution((w) => (w.metadata.ownerReferences = [{ ...ref, blockOwnerDeletion: true }]))
  t.equal(
    update(
      unblocked,
      aFailedExecution((w) => (w.metadata.ownerReferences = [{ ...ref, blockOwnerDeletion: false }])),
      GC,
    ).response.allowed,
    true,
    'blockOwnerDeletion may be turned off (the collector does)',
  )
  t.equal(update(owned, structuredClone(owned)).response.allowed, true, 'unchanged')
})

t.test('a DELETE of a blocked execution carries audit annotations, refused or exempt', async (t) => {
  const del = (user: UserInfo) =>
    admit(aRequest({ operation: 'DELETE', oldObject: aFailedExecution(), userInfo: user }), policy, 'validate')
  const refused = del(OPERATOR)
  t.equal(refused.response.auditAnnotations?.['act'], 'delete-blocked')
  t.equal(refused.response.auditAnnotations?.['decision'], 'refused')
  t.equal(refused.response.auditAnnotations?.['denied-by'], 'blocked-delete-refused')
  const gc = del(GC)
  t.same(gc.response.auditAnnotations, {
    act: 'delete-blocked',
    decision: 'admitted',
    user: GC.username,
    execution: 'kubernaut-system/wfe-payment-api-1',
    'execution-uid': '6f1c2d3e-0000-4000-8000-000000000001',
    target: 'payment/Deployment/payment-api',
    exemption: 'cascade-deleter',
  })
  const notBlocked = admit(aRequest({ operation: 'DELETE', oldObject: aWorkflowExecution(), userInfo: OPERATOR }), policy, 'validate')
  t.equal(notBlocked.response.auditAnnotations, undefined)
})
