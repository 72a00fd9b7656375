import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import type { UserInfo } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { blockInForce, CASCADE_DELETERS } from '../../src/rules/clearance-lifting.js'
import { aFailedExecution, aRequest, CONTROLLER, OPERATOR, testPolicy } from '../helpers/objects.js'
import { message, ruleIds } from '../helpers/verdict.js'
import { annotated, ATTRIBUTED, withClearance } from './clearance-fixtures.js'

// Item 1 and 2 of issue 11: a block is lifted only by a blockClearance, never by rewriting
// failureDetails or deleting the execution. Judged with every built-in rule loaded.
const policy = testPolicy()

function statusUpdate(old: WorkflowExecution, object: WorkflowExecution, user: UserInfo = CONTROLLER, subResource = 'status') {
  return admit(aRequest({ operation: 'UPDATE', subResource, object, oldObject: old, userInfo: user }), policy, 'both')
}

function del(old: WorkflowExecution, user: UserInfo) {
  return admit(aRequest({ operation: 'DELETE', oldObject: old, userInfo: user }), policy, 'validate')
}

t.test('after Failed, flipping wasExecutionFailure or removing failureDetails is refused for everyone', async (t) => {
  const old = aFailedExecution()
  const flips: [string, (w: WorkflowExecution) => void, RegExp][] = [
    [
      'flip',
      (w) => {
        w.status!.failureDetails!.wasExecutionFailure = false
      },
      /^status\.failureDetails: Forbidden: failureDetails is immutable once the execution has failed; changed: status\.failureDetails\.wasExecutionFailure; to lift the block write status\.blockClearance/,
    ],
    [
      'remove',
      (w) => {
        delete w.status!.failureDetails
      },
      /^status\.failureDetails: Forbidden: failureDetails is immutable once the execution has failed: it cannot be removed/,
    ],
    [
      'null',
      (w) => {
        ;(w.status as Record<string, unknown>)['failureDetails'] = null
      },
      /cannot be removed/,
    ],
    [
      'reworded',
      (w) => {
        w.status!.failureDetails!.message = 'nothing happened'
      },
      /changed: status\.failureDetails\.message/,
    ],
  ]
  for (const [name, edit, re] of flips) {
    for (const user of [CONTROLLER, OPERATOR]) {
      const res = statusUpdate(old, aFailedExecution(edit), user)
      t.equal(res.response.allowed, false, `${name} by ${String(user.username)}`)
      t.same(ruleIds(res), ['failure-details-frozen'], name)
      t.match(message(res), re, name)
      t.same(res.effects, [])
    }
  }
})

t.test('failureDetails: an unchanged copy passes, first setting passes, and a main-resource write cannot touch it', async (t) => {
  const old = aFailedExecution()
  t.equal(statusUpdate(old, aFailedExecution()).response.allowed, true, 'routine write carrying it unchanged')
  const bare = aFailedExecution((w) => {
    delete w.status!.failureDetails
  })
  t.equal(statusUpdate(bare, aFailedExecution()).response.allowed, true, 'setting it for the first time only adds a block')
  // The apiserver keeps the stored status on a main-resource write: the flip is thrown away, not stored.
  const res = statusUpdate(
    old,
    aFailedExecution((w) => {
      w.status!.failureDetails!.wasExecutionFailure = false
    }),
    OPERATOR,
    '',
  )
  t.equal(res.response.allowed, true, message(res))
})

t.test('DELETE of an execution whose block is in force is refused, saying how to clear it', async (t) => {
  const blocked = aFailedExecution()
  t.equal(blockInForce(blocked), true)
  for (const user of [OPERATOR, CONTROLLER]) {
    const res = del(blocked, user)
    t.equal(res.response.allowed, false, String(user.username))
    t.same(ruleIds(res), ['blocked-delete-refused'])
    t.equal(res.response.status?.code, 403)
    t.match(
      message(res),
      /^metadata\.name: Forbidden: "wfe-payment-api-1" failed during execution and blocks remediation of "payment\/Deployment\/payment-api"; deleting it would lift the block with no clearance on record\. Clear the block first \(kubectl patch workflowexecution wfe-payment-api-1 -n kubernaut-system --subresource=status/,
    )
    t.same(res.effects, [])
  }
  const dry = admit(aRequest({ operation: 'DELETE', oldObject: blocked, userInfo: OPERATOR, dryRun: true }), policy, 'validate')
  t.equal(dry.response.allowed, false, 'a dry run gets the same verdict')
})

t.test("DELETE is allowed once cleared, when nothing blocks, and for the control plane's cascades", async (t) => {
  const cases: [string, WorkflowExecution][] = [
    ['cleared in status', withClearance(ATTRIBUTED)],
    ['cleared by annotation (Flow 2, not yet copied)', aFailedExecution((w) => annotated(w))],
    [
      'not an execution failure',
      aFailedExecution((w) => {
        w.status!.failureDetails!.wasExecutionFailure = false
      }),
    ],
    [
      'no failureDetails',
      aFailedExecution((w) => {
        delete w.status!.failureDetails
      }),
    ],
    [
      'running',
      aFailedExecution((w) => {
        w.status!.phase = 'Running'
      }),
    ],
  ]
  for (const [name, w] of cases) t.equal(del(w, OPERATOR).response.allowed, true, name)
  t.equal(
    del(
      aFailedExecution((w) => {
        w.metadata.annotations = { 'kubernaut.ai/clear-execution-block': 'x' }
      }),
      OPERATOR,
    ).response.allowed,
    false,
    "a clear annotation without the webhook's -by is no clearance",
  )
  for (const username of CASCADE_DELETERS) {
    const gc: UserInfo = { username, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] }
    t.equal(del(aFailedExecution(), gc).response.allowed, true, username)
  }
  t.equal(
    del(aFailedExecution(), { username: 'system:serviceaccount:kube-system:generic-garbage-collector-2' }).response.allowed,
    false,
    'exact names only',
  )
  t.equal(
    admit(aRequest({ operation: 'DELETE', userInfo: OPERATOR }), policy, 'validate').response.allowed,
    true,
    'no oldObject: nothing to judge',
  )
})
