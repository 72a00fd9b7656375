import t from 'tap'
import { createBlockIndex } from '../../src/blocks/block-index.js'
import { targetKey } from '../../src/api/target-block.js'
import { blocked, cleared, completed, preFailed } from './block-fixtures.js'

t.test('the target key: kind case-insensitive, namespace and name exact, cluster-scoped apart', async (t) => {
  t.equal(targetKey('payment/Deployment/api'), targetKey('payment/deployment/api'))
  t.equal(targetKey('payment/DEPLOYMENT/api'), 'payment/deployment/api')
  t.not(targetKey('payment/Deployment/api'), targetKey('Payment/Deployment/api'), 'namespace exact')
  t.not(targetKey('payment/Deployment/api'), targetKey('payment/Deployment/API'), 'name exact')
  t.equal(targetKey('Node/worker-1'), '/node/worker-1')
  t.not(targetKey('Node/worker-1'), targetKey('default/Node/worker-1'))
  for (const bad of ['', 'a', 'a/b/c/d', '/Deployment/x', 'ns//x', 'Deployment/'] as const) t.equal(targetKey(bad), undefined, bad)
})

t.test('a blocked execution blocks its target under any spelling of the kind; clearing or deleting lifts it', async (t) => {
  const index = createBlockIndex()
  const w = blocked({ name: 'wfe-1', namespace: 'payment', target: 'payment/Deployment/api' })
  index.upsert(w)
  t.equal(index.blockedTargets(), 1)
  const state = index.lookup('payment/deployment/api')
  t.equal(state?.blocking.length, 1)
  t.match(state?.blocking[0], { namespace: 'payment', name: 'wfe-1', reason: 'TaskFailed', failedAt: '2026-11-25T09:05:00Z' })
  t.match(state?.blocking[0]?.naturalLanguageSummary, /restart task failed/)
  t.equal(index.lookup('payment/Deployment/other'), undefined, 'another target')
  t.equal(index.lookup('other/Deployment/api'), undefined, 'same name, another namespace')

  index.upsert(cleared({ name: 'wfe-1', namespace: 'payment', target: 'payment/Deployment/api' }))
  t.equal(index.lookup('payment/Deployment/api'), undefined, 'cleared: nothing blocks')
  t.equal(index.blockedTargets(), 0)
  t.same(
    index.rows({ all: true }).map((r) => [r.state, r.execution.name, 'clearedBy' in r.execution ? r.execution.clearedBy : '']),
    [['cleared', 'wfe-1', 'alice@example.com']],
  )
  t.same(index.rows(), [], 'without --all, cleared ones are not listed')

  index.upsert(blocked({ name: 'wfe-2', namespace: 'payment', target: 'payment/Deployment/api' }))
  index.remove(blocked({ name: 'wfe-2', namespace: 'payment' }), 'watch')
  t.equal(index.lookup('payment/Deployment/api'), undefined, 'deleted: nothing blocks')
  // A relist removal knows only namespace, name and uid.
  index.upsert(blocked({ name: 'wfe-3', namespace: 'payment', target: 'payment/Deployment/api' }))
  index.remove({ metadata: { namespace: 'payment', name: 'wfe-3', uid: 'uid-payment-wfe-3' } } as never, 'relist')
  t.equal(index.lookup('payment/Deployment/api'), undefined, 'vanished on relist: nothing blocks')
})

t.test('several blocking executions: newest failure first; rows filter by the execution namespace', async (t) => {
  const index = createBlockIndex()
  index.upsert(blocked({ name: 'old', namespace: 'a', target: 'payment/Deployment/api', failedAt: '2026-11-20T00:00:00Z' }))
  index.upsert(blocked({ name: 'new', namespace: 'b', target: 'payment/deployment/api', failedAt: '2026-11-24T00:00:00Z' }))
  index.upsert(blocked({ name: 'x', namespace: 'a', target: 'shop/StatefulSet/db', failedAt: '2026-11-22T00:00:00Z' }))
  t.same(
    index.lookup('payment/Deployment/api')?.blocking.map((b) => b.name),
    ['new', 'old'],
  )
  t.equal(index.blockedTargets(), 2)
  t.equal(index.oldestBlockMs(), Date.parse('2026-11-20T00:00:00Z'))
  t.same(
    index.rows({ namespace: 'a' }).map((r) => r.execution.name),
    ['x', 'old'],
  )
  // An update of the same object replaces it, never duplicates it.
  index.upsert(blocked({ name: 'old', namespace: 'a', target: 'payment/Deployment/api', failedAt: '2026-11-20T00:00:00Z' }))
  t.equal(index.lookup('payment/Deployment/api')?.blocking.length, 2)
})

t.test('pre-execution failures never block; they count since the last Completed execution of the target', async (t) => {
  const index = createBlockIndex()
  index.upsert(preFailed({ name: 'p1', target: 'payment/Deployment/api', failedAt: '2026-11-25T08:00:00Z' }))
  index.upsert(preFailed({ name: 'p2', target: 'payment/Deployment/api', failedAt: '2026-11-25T09:00:00Z' }))
  let state = index.lookup('payment/Deployment/api')
  t.same(state?.blocking, [])
  t.equal(state?.preExecution?.failures, 2)
  t.equal(state?.preExecution?.last.name, 'p2')
  t.equal(state?.preExecution?.lastFailedAtMs, Date.parse('2026-11-25T09:00:00Z'))
  index.upsert(completed({ name: 'ok', target: 'payment/Deployment/api', at: '2026-11-25T08:30:00Z' }))
  state = index.lookup('payment/Deployment/api')
  t.equal(state?.preExecution?.failures, 1, 'only the failure after the completion is consecutive')
  index.upsert(completed({ name: 'ok2', target: 'payment/Deployment/api', at: '2026-11-25T09:30:00Z' }))
  t.equal(index.lookup('payment/Deployment/api'), undefined, 'a later success resets the count')
  t.equal(index.blockedTargets(), 0)
})

t.test('synced and stale: staleSince is the moment the synced view broke', async (t) => {
  let now = new Date('2026-11-25T10:00:00Z')
  const index = createBlockIndex({ now: () => now })
  t.equal(index.everSynced(), false)
  t.equal(index.isSynced(), false)
  index.synced('10')
  t.equal(index.isSynced(), true)
  t.equal(index.staleSince(), undefined)
  index.stale('watch failed')
  t.same(index.staleSince(), now)
  const first = now
  now = new Date('2026-11-25T10:01:00Z')
  index.stale('relist failed')
  t.same(index.staleSince(), first, 'a second failure does not reset the clock')
  t.equal(index.everSynced(), true)
  index.synced('11')
  t.equal(index.staleSince(), undefined)
})
