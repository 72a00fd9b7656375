// Block clearance as the real apiserver runs it: both flows, as the people and the controller who
// make them, with the audit line in the server's log and the BlockCleared Event stored in the
// apiserver; a server-side dry run gets the same verdict and leaves neither.
import t from 'tap'
import { aFailedExecution } from '../helpers/objects.js'
import { USERS, auditLines, create, events, eventually, get, kubectl, namespace, patch, wfe, type K8sObject } from './harness.js'

const ns = await namespace('e2e-clear')
const REASON = 'node pressure resolved and the cluster state was verified by hand'
const FAILED_STATUS = aFailedExecution().status as K8sObject

/** A stored execution driven to Failed through /status by the controller, as it really happens. */
async function failedExecution(name: string): Promise<void> {
  const made = await create(wfe(ns, name), { as: USERS.orchestrator })
  if (made.code !== 0) throw new Error(made.stderr)
  for (const status of [{ phase: 'Pending' }, { phase: 'Running', startTime: FAILED_STATUS.startTime }, FAILED_STATUS]) {
    const r = await patch(ns, name, { status }, { as: USERS.controller, status: true })
    if (r.code !== 0) throw new Error(`status ${String(status.phase)}: ${r.stderr}`)
  }
}

const blockCleared =
  (name: string) =>
  (e: K8sObject): boolean =>
    e.reason === 'BlockCleared' && e.involvedObject?.name === name

/** The BlockCleared Events the apiserver stores about one object, once there are `n` of them. */
function clearedEvents(name: string, n = 1): Promise<K8sObject[]> {
  return eventually(`${n} BlockCleared Event(s) for ${name}`, async () => {
    const found = (await events(ns, name)).filter(blockCleared(name))
    return found.length >= n ? found : undefined
  })
}

t.test('status flow: attributed to the requester, whatever the client claimed; one audit line; the Event stored', async (t) => {
  await failedExecution('status-flow')
  const forged = { clearReason: REASON, clearedBy: 'somebody-else', clearedAt: '2020-01-01T00:00:00Z' }
  const r = await patch(ns, 'status-flow', { status: { blockClearance: forged } }, { as: USERS.alice, status: true })
  t.equal(r.code, 0, r.stderr)
  const bc = (await get(ns, 'status-flow')).status.blockClearance
  t.equal(bc.clearedBy, USERS.alice, 'clearedBy comes from userInfo')
  t.not(bc.clearedAt, forged.clearedAt, 'clearedAt comes from the server clock')
  t.equal(bc.clearMethod, 'StatusField')
  t.equal(bc.clearReason, REASON)
  const [event] = await clearedEvents('status-flow')
  t.match(event?.message, USERS.alice, 'the Event stored in the apiserver names alice')
  const audit = await eventually('the audit line', async () => {
    const l = await auditLines(ns, 'status-flow')
    return l.length > 0 ? l : undefined
  })
  t.equal(audit.length, 1)
  t.equal(audit[0]?.actor?.username, USERS.alice)
})

t.test('an attributed clearance cannot be rewritten or removed, not even by the controller', async (t) => {
  const stored = (await get(ns, 'status-flow')).status.blockClearance
  const bob = await patch(
    ns,
    'status-flow',
    { status: { blockClearance: { ...stored, clearedBy: USERS.bob } } },
    { as: USERS.bob, status: true },
  )
  t.not(bob.code, 0)
  t.match(bob.stderr, /status\.blockClearance/)
  const removed = await patch(ns, 'status-flow', [{ op: 'remove', path: '/status/blockClearance' }], {
    as: USERS.controller,
    status: true,
    type: 'json',
  })
  t.not(removed.code, 0)
  t.same((await get(ns, 'status-flow')).status.blockClearance, stored)
})

t.test('a clearance before the execution failed is refused', async (t) => {
  await create(wfe(ns, 'not-failed'), { as: USERS.orchestrator })
  await patch(ns, 'not-failed', { status: { phase: 'Pending' } }, { as: USERS.controller, status: true })
  const r = await patch(ns, 'not-failed', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true })
  t.not(r.code, 0)
  t.notOk((await get(ns, 'not-failed')).status.blockClearance)
})

t.test('--dry-run=server: the same verdict and result, no audit line, no Event', async (t) => {
  await failedExecution('dry-run')
  const r = await patch(
    ns,
    'dry-run',
    { status: { blockClearance: { clearReason: REASON } } },
    { as: USERS.bob, status: true, dryRun: true },
  )
  t.equal(r.code, 0, r.stderr)
  t.equal(JSON.parse(r.stdout).status.blockClearance.clearedBy, USERS.bob, 'the dry run shows the attribution it would make')
  const short = await patch(
    ns,
    'dry-run',
    { status: { blockClearance: { clearReason: 'too short' } } },
    { as: USERS.bob, status: true, dryRun: true },
  )
  t.not(short.code, 0, 'a bad reason is refused in a dry run too')
  t.notOk((await get(ns, 'dry-run')).status.blockClearance, 'nothing stored')
  // The real clearance that follows is the event that proves the effects have caught up: after its
  // Event and audit line exist, any from the dry run would exist too.
  const real = await patch(ns, 'dry-run', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true })
  t.equal(real.code, 0, real.stderr)
  const stored = await clearedEvents('dry-run')
  const audit = await eventually('the audit line', async () => {
    const l = await auditLines(ns, 'dry-run')
    return l.length > 0 ? l : undefined
  })
  t.same(
    audit.map((l) => l.actor?.username),
    [USERS.alice],
    'one audit line, the real one; none for the dry run',
  )
  t.equal(stored.length, 1, 'one Event, the real one')
  t.notMatch(stored[0]?.message, USERS.bob)
})

t.test('annotation flow: the webhook attributes the annotation; the trusted controller copies it into status', async (t) => {
  await failedExecution('annotation-flow')
  const r = await kubectl(
    ['annotate', 'workflowexecutions.kubernaut.ai', 'annotation-flow', '-n', ns, `kubernaut.ai/clear-execution-block=${REASON}`],
    { as: USERS.bob },
  )
  t.equal(r.code, 0, r.stderr)
  const annotations = (await get(ns, 'annotation-flow')).metadata.annotations
  t.equal(annotations['kubernaut.ai/clear-execution-block-by'], USERS.bob)
  t.match(annotations['kubernaut.ai/clear-execution-block-at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  const forged = await kubectl(
    [
      'annotate',
      '--overwrite',
      'workflowexecutions.kubernaut.ai',
      'annotation-flow',
      '-n',
      ns,
      'kubernaut.ai/clear-execution-block-by=mallory',
    ],
    { as: USERS.alice },
  )
  t.not(forged.code, 0, 'only the webhook writes the -by annotation')
  const copy = {
    clearMethod: 'Annotation',
    clearReason: REASON,
    clearedBy: annotations['kubernaut.ai/clear-execution-block-by'],
    clearedAt: annotations['kubernaut.ai/clear-execution-block-at'],
  }
  const byController = await patch(ns, 'annotation-flow', { status: { blockClearance: copy } }, { as: USERS.controller, status: true })
  t.equal(byController.code, 0, byController.stderr)
  const bc = (await get(ns, 'annotation-flow')).status.blockClearance
  t.equal(bc.clearedBy, USERS.bob, "the controller copies bob's attribution")
  t.equal(bc.clearMethod, 'Annotation')
})

t.test('annotation method written by someone untrusted is attributed to that writer, with a warning', async (t) => {
  await failedExecution('annotation-untrusted')
  const claim = { clearMethod: 'Annotation', clearReason: REASON, clearedBy: USERS.bob, clearedAt: '2026-01-01T00:00:00Z' }
  const r = await patch(ns, 'annotation-untrusted', { status: { blockClearance: claim } }, { as: USERS.alice, status: true })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /^Warning: /m, 'kubectl shows the warning')
  t.equal((await get(ns, 'annotation-untrusted')).status.blockClearance.clearedBy, USERS.alice)
})
