import t from 'tap'
import { startLeaderElector, type LeaderElector } from '../../src/audit/lease.js'
import { createMemoryAuditApi } from '../../demo/audit-api.js'
import { waitFor } from '../helpers/wait.js'

// One recorder at a time, as client-go's leader election: a Lease in the server's namespace.
const TIMINGS = { leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 20 }

function elector(api: ReturnType<typeof createMemoryAuditApi>, identity: string, log: string[]): LeaderElector {
  const e = startLeaderElector({
    api,
    name: 'wfe-admission-audit-recorder',
    identity,
    ...TIMINGS,
    onStartedLeading: () => log.push(`${identity} leads`),
    onStoppedLeading: () => log.push(`${identity} stops`),
    onError: (err) => log.push(`${identity} error ${String(err)}`),
  })
  t.teardown(() => e.stop())
  return e
}

t.test('three replicas: exactly one leads; when it stops, another takes over', async (t) => {
  const api = createMemoryAuditApi()
  const log: string[] = []
  const all = ['a', 'b', 'c'].map((id) => elector(api, id, log))
  await waitFor(() => all.some((e) => e.isLeader()))
  // Every replica has tried several times since.
  const tries = api.calls.length
  await waitFor(() => api.calls.length > tries + 12)
  t.equal(all.filter((e) => e.isLeader()).length, 1, 'one leader')
  const leader = all.find((e) => e.isLeader())!
  const lease = api.leases.get('wfe-admission-audit-recorder')!
  t.match(lease.spec, { leaseDurationSeconds: 1, leaseTransitions: 0 })
  t.match(lease.spec?.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime, as the apiserver parses it')
  await leader.stop()
  t.equal(api.leases.get('wfe-admission-audit-recorder')?.spec?.holderIdentity, null, 'released on stop')
  await waitFor(() => all.some((e) => e !== leader && e.isLeader()))
  t.equal(all.filter((e) => e.isLeader()).length, 1)
})

t.test('a leader that cannot renew stops leading within the renew deadline; errors are reported', async (t) => {
  const api = createMemoryAuditApi()
  const log: string[] = []
  const e = elector(api, 'a', log)
  await waitFor(() => e.isLeader())
  api.failing.set('readLease', 503)
  await waitFor(() => !e.isLeader())
  t.ok(log.includes('a stops'))
  t.ok(log.some((l) => /^a error .*503/.test(l)))
  api.failing.delete('readLease')
  await waitFor(() => e.isLeader())
})

t.test('a Lease held by another, live holder is not taken', async (t) => {
  const api = createMemoryAuditApi()
  await api.createLease({
    metadata: { name: 'wfe-admission-audit-recorder', namespace: 'kubernaut-system' },
    spec: { holderIdentity: 'other', leaseDurationSeconds: 3600 },
  })
  const log: string[] = []
  const e = elector(api, 'a', log)
  const tries = api.calls.length
  await waitFor(() => api.calls.length > tries + 5)
  t.equal(e.isLeader(), false)
})
