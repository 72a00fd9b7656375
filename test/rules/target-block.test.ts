import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import type { TargetBlockOptions } from '../../src/api/target-block.js'
import { createBlockIndex, type BlockIndex } from '../../src/blocks/block-index.js'
import { aRequest, aWorkflowExecution, FIXED_NOW, testPolicy } from '../helpers/objects.js'
import { message, ruleIds } from '../helpers/verdict.js'
import { blocked, cleared, preFailed } from '../blocks/block-fixtures.js'

function syncedIndex(...objects: WorkflowExecution[]): BlockIndex {
  const index = createBlockIndex()
  for (const o of objects) index.upsert(o)
  index.synced('1')
  return index
}

function createFor(target: string, options: Partial<TargetBlockOptions> & { view: BlockIndex | undefined }, dryRun = false) {
  const policy = testPolicy({ targetBlocks: { mode: 'deny', maxStalenessMs: 60_000, ...options } })
  const object = aWorkflowExecution((w) => {
    w.metadata.name = 'wfe-next'
    w.spec.targetResource = target
  })
  return admit(aRequest({ object, dryRun }), policy, 'both')
}

const BLOCKER = blocked({ name: 'wfe-1', namespace: 'payment', target: 'payment/Deployment/api' })

t.test('a CREATE for a blocked target is refused: names the execution, when and why, and the commands that clear it', async (t) => {
  const view = syncedIndex(BLOCKER)
  const r = createFor('payment/Deployment/api', { view })
  t.equal(r.response.allowed, false)
  t.same(ruleIds(r, 'deny'), ['target-blocked'])
  const m = message(r)
  t.match(m, /^admission webhook denied|spec\.targetResource: Forbidden: target "payment\/Deployment\/api" is blocked/)
  t.match(m, /WorkflowExecution payment\/wfe-1 failed during execution at 2026-11-25T09:05:00Z \(TaskFailed: The restart task failed/)
  t.match(m, /wfe-admission clear wfe-1 -n payment --reason "<what you investigated and found>"/)
  t.match(
    m,
    /kubectl patch workflowexecution wfe-1 -n payment --subresource=status --type=merge -p '\{"status":\{"blockClearance":\{"clearReason":/,
  )
  t.match(m, /may not have reached this webhook yet.*retry/)
  t.notMatch(m, /stale/)
})

t.test('a case variant of the kind is the same target; another target, namespace or name is not', async (t) => {
  const view = syncedIndex(BLOCKER)
  t.equal(createFor('payment/deployment/api', { view }).response.allowed, false, 'deployment')
  t.equal(createFor('payment/DEPLOYMENT/api', { view }).response.allowed, false, 'DEPLOYMENT')
  t.equal(createFor('payment/Deployment/web', { view }).response.allowed, true, 'another name')
  t.equal(createFor('shop/Deployment/api', { view }).response.allowed, true, 'another namespace')
})

t.test('dry runs are judged alike; warn admits with the message as a warning; off and no view do not look', async (t) => {
  const view = syncedIndex(BLOCKER)
  t.equal(createFor('payment/Deployment/api', { view }, true).response.allowed, false, 'dry run refused')
  const warned = createFor('payment/Deployment/api', { view, mode: 'warn' })
  t.equal(warned.response.allowed, true)
  t.same(ruleIds(warned, 'warn'), ['target-blocked'])
  t.match(warned.response.warnings?.join('\n'), /is blocked: WorkflowExecution payment\/wfe-1/)
  const off = createFor('payment/Deployment/api', { view, mode: 'off' })
  t.equal(off.response.allowed, true)
  t.same(off.violations, [])
  const none = createFor('payment/Deployment/api', { view: undefined })
  t.equal(none.response.allowed, true)
  t.same(none.violations, [], 'no cluster state: nothing judged, nothing said per object')
})

t.test('a cleared execution and a pre-execution failure do not block', async (t) => {
  const view = syncedIndex(
    cleared({ name: 'c', namespace: 'payment', target: 'payment/Deployment/api' }),
    preFailed({ name: 'p', namespace: 'payment', target: 'payment/Deployment/api' }),
  )
  const r = createFor('payment/Deployment/api', { view })
  t.equal(r.response.allowed, true)
  t.same(r.violations, [])
})

t.test('the same rule only on CREATE: updates of the blocked execution itself are not refused by it', async (t) => {
  const policy = testPolicy({ targetBlocks: { mode: 'deny', maxStalenessMs: 60_000, view: syncedIndex(BLOCKER) } })
  const r = admit(aRequest({ operation: 'UPDATE', object: BLOCKER, oldObject: BLOCKER }), policy, 'both')
  t.notOk(ruleIds(r).includes('target-blocked'))
})

t.test('backoff: off by default; when on, refused until failedAt + BASE·2^(n-1), capped at MAX, saying when to retry', async (t) => {
  // FIXED_NOW is 10:20:30Z. One failure at 10:20:00Z with BASE 1m: retry at 10:21:00Z.
  const one = syncedIndex(
    preFailed({ name: 'p1', namespace: 'payment', target: 'payment/Deployment/api', failedAt: '2026-11-25T10:20:00Z' }),
  )
  t.equal(createFor('payment/Deployment/api', { view: one }).response.allowed, true, 'off by default')
  const backoff = { baseMs: 60_000, maxMs: 300_000 }
  const r = createFor('payment/Deployment/api', { view: one, backoff })
  t.equal(r.response.allowed, false)
  t.same(ruleIds(r, 'deny'), ['target-backoff'])
  t.match(
    message(r),
    /1 consecutive pre-execution failure, the latest WorkflowExecution payment\/p1 .*retry at 2026-11-25T10:21:00Z \(in 30s/,
  )
  // Three failures, the latest at 10:17:00Z: 1m·2² = 4m → 10:21:00Z, still waiting.
  const three = syncedIndex(
    preFailed({ name: 'a', target: 'payment/Deployment/api', failedAt: '2026-11-25T10:00:00Z' }),
    preFailed({ name: 'b', target: 'payment/Deployment/api', failedAt: '2026-11-25T10:10:00Z' }),
    preFailed({ name: 'c', target: 'payment/Deployment/api', failedAt: '2026-11-25T10:17:00Z' }),
  )
  t.match(message(createFor('payment/Deployment/api', { view: three, backoff })), /3 consecutive .* retry at 2026-11-25T10:21:00Z/)
  // Capped at MAX: 3m after 10:17:00Z has passed at 10:20:30Z; 4m has not.
  t.equal(
    createFor('payment/Deployment/api', { view: three, backoff: { baseMs: 60_000, maxMs: 180_000 } }).response.allowed,
    true,
    'MAX passed',
  )
  t.equal(
    createFor('payment/Deployment/api', { view: three, backoff: { baseMs: 60_000, maxMs: 240_000 } }).response.allowed,
    false,
    'MAX not passed',
  )
})

t.test('stale view: judged from the last view with the staleness said; past the limit admitted with a warning', async (t) => {
  let clock = new Date(FIXED_NOW.getTime() - 30_000)
  const index = createBlockIndex({ now: () => clock })
  index.upsert(BLOCKER)
  const unsynced = createFor('payment/Deployment/api', { view: index })
  t.equal(unsynced.response.allowed, true, 'never synced: not judged')
  t.same(ruleIds(unsynced, 'warn'), ['target-blocks-unknown'])
  t.match(
    unsynced.response.warnings?.join('\n'),
    /target blocks were not evaluated: the webhook's list of WorkflowExecutions has not synced yet/,
  )
  index.synced('5')
  index.stale('watch failed: connection refused')
  const stale = createFor('payment/Deployment/api', { view: index })
  t.equal(stale.response.allowed, false)
  t.match(message(stale), /view of the cluster is 30s stale/)
  clock = new Date(FIXED_NOW.getTime() - 120_000)
  index.synced('6')
  index.stale('again')
  const tooStale = createFor('payment/Deployment/api', { view: index })
  t.equal(tooStale.response.allowed, true, 'past --target-blocks-max-staleness (60s here)')
  t.match(tooStale.response.warnings?.join('\n'), /120s stale, past --target-blocks-max-staleness/)
})
