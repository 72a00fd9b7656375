// Issue 19 against the real apiserver, with three replicas (one holds the recorder's Lease) and a
// restart: each attack on the audit trail is made by users holding `create events`, and each ends
// with exactly one correct record, read from every replica's log, the record markers, the Events
// and the apiserver's own audit log (which carries the webhook's auditAnnotations).
import t from 'tap'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { aFailedExecution } from '../helpers/objects.js'
import { loopbackCertificates, startWebhookServer, type WebhookServer } from '../cluster/webhook.js'
import {
  USERS,
  apiserverAudit,
  cluster,
  create,
  events,
  eventually,
  get,
  kubectl,
  kubectlOk,
  namespace,
  patch,
  serverLog,
  unregisterWebhooks,
  waitForLog,
  webhookAnnotations,
  wfe,
  type K8sObject,
} from './harness.js'

const ns = await namespace('e2e-record')
const REASON = 'node pressure resolved and the cluster state was verified by hand'
const FAILED = aFailedExecution().status as K8sObject
const CLEAR = 'kubernaut.ai/clear-execution-block'
const SERVER_NS = 'kubernaut-system'

async function ok(r: Promise<{ code: number; stderr: string }>, what: string): Promise<void> {
  const out = await r
  if (out.code !== 0) throw new Error(`${what}: ${out.stderr}`)
}

// Three replicas: the cluster's server and two more, every one with the server's ServiceAccount.
const replicas: WebhookServer[] = []
const logs = [cluster.webhook.log]
async function replica(i: number): Promise<WebhookServer> {
  const dir = join(cluster.dir, `record-replica-${i}-${Date.now()}`)
  await mkdir(dir, { recursive: true })
  await loopbackCertificates(join(dir, 'certs'))
  const server = await startWebhookServer({
    port: cluster.webhookPorts[i] as number,
    certDir: join(dir, 'certs'),
    logFile: join(dir, 'server.log'),
    kubeconfig: cluster.webhook.serverKubeconfig,
    extraArgs: ['--audit-admission-grace=10s'],
  })
  await waitForLog((l) => /audit recorder in sync/.test(String(l.msg)), { file: server.logFile, timeoutMs: 60_000 })
  logs.push(server.logFile)
  return server
}
replicas.push(await replica(1), await replica(2))
t.teardown(() => Promise.all(replicas.map((r) => r.stop())))

/** An execution driven by the controller to Failed (or `status` as given) in `namespace`. */
async function failed(name: string, opts: { in?: string; patch?: (w: K8sObject) => void; status?: K8sObject } = {}): Promise<K8sObject> {
  const space = opts.in ?? ns
  await ok(create(wfe(space, name, opts.patch), { as: USERS.orchestrator }), `create ${name}`)
  for (const status of [{ phase: 'Pending' }, { phase: 'Running', startTime: FAILED.startTime }, opts.status ?? FAILED])
    await ok(patch(space, name, { status }, { as: USERS.controller, status: true }), `${name} → ${String(status.phase)}`)
  return get(space, name)
}

/** Audit lines about one execution uid across every replica's log, the stopped ones included. */
async function records(uid: string): Promise<K8sObject[]> {
  const all = await Promise.all(logs.map((f) => serverLog(f)))
  return all.flat().filter((l) => l.logger === 'audit' && l.resource?.uid === uid)
}

function waitRecords(uid: string, n = 1): Promise<K8sObject[]> {
  return eventually(
    `${n} audit record(s) for ${uid}`,
    async () => {
      const r = await records(uid)
      return r.length >= n ? r : undefined
    },
    60_000,
  )
}

async function marker(key: string): Promise<K8sObject> {
  return JSON.parse(await kubectlOk(['get', 'configmap', `wfe-audit-record-${key}`, '-n', SERVER_NS, '-o', 'json'])) as K8sObject
}

/** The apiserver's audit events for writes to one execution by `user`, with our validating webhook's annotations. */
async function apiserverEvents(name: string, user: string, space = ns): Promise<K8sObject[]> {
  return eventually(`apiserver audit events for ${name} by ${user}`, async () => {
    const found = await apiserverAudit(
      (e) =>
        // The namespace controller deletes with deletecollection: no name in objectRef, the execution is in our annotations.
        (e.objectRef?.name === name || webhookAnnotations(e)['execution'] === `${space}/${name}`) &&
        e.objectRef?.namespace === space &&
        (e.impersonatedUser?.username ?? e.user?.username) === user &&
        Object.keys(webhookAnnotations(e)).length > 0,
    )
    return found.length > 0 ? found : undefined
  })
}

t.test('the markers namespace is the server account’s alone: users cannot create or change markers there', async (t) => {
  for (const verb of ['create', 'update', 'delete'])
    t.match(
      (await kubectl(['auth', 'can-i', verb, 'configmaps', '-n', SERVER_NS], { as: USERS.alice })).stdout.trim(),
      'no',
      `alice cannot ${verb} ConfigMaps in ${SERVER_NS}`,
    )
  const planted = await kubectl(['create', 'configmap', 'wfe-audit-record-0000000000000000', '-n', SERVER_NS], { as: USERS.alice })
  t.not(planted.code, 0)
  t.match(planted.stderr, /forbidden/)
})

t.test('attack 1: Events planted in advance suppress nothing and are told apart from the server’s', async (t) => {
  const stored = await failed('planted')
  // Every name the old scheme could derive is taken now; a generated name cannot be.
  for (let i = 0; i < 20; i++)
    await ok(
      kubectl(['create', '-f', '-'], {
        as: USERS.bob,
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `planted.${i.toString(16).padStart(16, '0')}`, namespace: ns },
          involvedObject: {
            apiVersion: 'kubernaut.ai/v1alpha1',
            kind: 'WorkflowExecution',
            name: 'planted',
            namespace: ns,
            uid: stored.metadata.uid,
          },
          reason: 'BlockCleared',
          message: 'Execution block cleared by someone-else',
          type: 'Normal',
        }),
      }),
      'plant an Event',
    )
  await ok(patch(ns, 'planted', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true }), 'clear')
  const [line] = await waitRecords(stored.metadata.uid)
  t.match(line, { admitted: true, actor: { username: USERS.alice }, reason: REASON, method: 'StatusField' })
  const m = await marker(line!.recordKey)
  t.match(JSON.parse(m.data.subject), { claimedBy: USERS.alice, resource: { uid: stored.metadata.uid } })
  const ours = await eventually('the server’s Event', async () => {
    const e = (await events(ns, 'planted')).filter((x) => x.metadata?.labels?.['wfe-admission.kubernaut.ai/record-key'] === line!.recordKey)
    return e.length > 0 ? e : undefined
  })
  t.equal(ours.length, 1)
  t.match(ours[0]?.message, `audit record ${line!.recordKey as string}`)
  const [audited] = await apiserverEvents('planted', USERS.alice)
  t.match(webhookAnnotations(audited!), { act: 'clear-block', decision: 'admitted', user: USERS.alice, reason: REASON })
})

t.test('attack 2: removing the finalizer of a terminating execution that became blocked is refused like its DELETE', async (t) => {
  await ok(
    create(
      wfe(ns, 'held', (w) => (w.metadata.finalizers = ['example.com/hold'])),
      { as: USERS.orchestrator },
    ),
    'create',
  )
  await ok(patch(ns, 'held', { status: { phase: 'Pending' } }, { as: USERS.controller, status: true }), 'Pending')
  await ok(
    patch(ns, 'held', { status: { phase: 'Running', startTime: FAILED.startTime } }, { as: USERS.controller, status: true }),
    'Running',
  )
  await ok(
    kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'held', '-n', ns, '--wait=false'], { as: USERS.alice }),
    'delete while running',
  )
  await ok(patch(ns, 'held', { status: FAILED }, { as: USERS.controller, status: true }), 'Failed while terminating')
  const lift = await patch(ns, 'held', [{ op: 'remove', path: '/metadata/finalizers' }], { as: USERS.alice, type: 'json' })
  t.not(lift.code, 0)
  t.match(
    lift.stderr,
    /metadata\.finalizers: Forbidden: "held" failed during execution .* removing its last finalizer \(which deletes it\) would lift the block/,
  )
  const stored = await get(ns, 'held')
  const [refused] = await apiserverEvents('held', USERS.alice)
  t.ok(
    (await apiserverAudit((e) => e.objectRef?.name === 'held' && webhookAnnotations(e)['act'] === 'remove-last-finalizer-blocked')).some(
      (e) => webhookAnnotations(e)['decision'] === 'refused' && e.responseStatus?.code === 403,
    ),
    'the apiserver audit log has the refused lift, with its 403',
  )
  t.ok(refused)
  await ok(patch(ns, 'held', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.bob, status: true }), 'clear')
  await ok(patch(ns, 'held', [{ op: 'remove', path: '/metadata/finalizers' }], { as: USERS.alice, type: 'json' }), 'lift once cleared')
  const lines = await waitRecords(stored.metadata.uid)
  t.equal(lines.length, 1, 'one record: bob’s clearance (the deletion of a cleared execution lifts no block)')
  t.match(lines[0], { event: 'workflowexecution.block.cleared', actor: { username: USERS.bob } })
})

t.test(
  'attack 3: a blocked execution deleted with its namespace, by the real namespace controller, is recorded with the cause',
  async (t) => {
    const doomed = await namespace('e2e-doomed')
    const stored = await failed('doomed', { in: doomed })
    await ok(kubectl(['delete', 'namespace', doomed, '--wait=false']), 'delete the namespace')
    const [line] = await waitRecords(stored.metadata.uid)
    t.match(line, {
      event: 'workflowexecution.block.deleted',
      admitted: true,
      actor: { username: 'system:serviceaccount:kube-system:namespace-controller' },
      cause: { why: 'namespace deleted', exemption: 'cascade-deleter' },
    })
    t.ok(await marker(line!.recordKey))
    const notice = await eventually('the Event in the server namespace', async () => {
      const e = (await events(SERVER_NS)).filter((x) => x.metadata?.labels?.['wfe-admission.kubernaut.ai/record-key'] === line!.recordKey)
      return e.length > 0 ? e : undefined
    })
    t.match(notice[0], {
      reason: 'BlockedExecutionDeleted',
      involvedObject: { kind: 'ConfigMap', name: `wfe-audit-record-${line!.recordKey as string}` },
    })
    const [deleted] = await apiserverEvents('doomed', 'system:serviceaccount:kube-system:namespace-controller', doomed)
    t.match(webhookAnnotations(deleted!), { act: 'delete-blocked', decision: 'admitted', exemption: 'cascade-deleter' })
  },
)

t.test('attack 4: kube-system is covered; a clearance stored while the webhooks were bypassed is recorded as unadmitted', async (t) => {
  const stored = await failed('forged', { in: 'kube-system' })
  const forged = { clearedBy: USERS.bob, clearedAt: '2020-01-01T00:00:00Z', clearReason: 'fine', clearMethod: 'StatusField' }
  const refused = await patch('kube-system', 'forged', { status: { blockClearance: forged } }, { as: USERS.alice, status: true })
  t.not(refused.code, 0, 'kube-system is inside the webhooks now')
  const restore = await unregisterWebhooks()
  t.teardown(restore)
  await ok(patch('kube-system', 'forged', { status: { blockClearance: forged } }, { as: USERS.alice, status: true }), 'bypassed write')
  await restore()
  const [line] = await waitRecords(stored.metadata.uid)
  t.match(line, { admitted: false, actor: null, claimedBy: USERS.bob, clearedAt: '2020-01-01T00:00:00Z' })
  const alerts = (await Promise.all(logs.map((f) => serverLog(f))))
    .flat()
    .filter((l) => l.alert === 'AuditUnadmitted' && l.recordKey === line!.recordKey)
  t.equal(alerts.length, 1, 'the alert fired once')
})

t.test('ownerReferences cannot be grafted on; the real garbage collector’s cascade is recorded with the cause', async (t) => {
  await failed('orphan')
  const graft = await patch(
    ns,
    'orphan',
    { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'mine', uid: '00000000-0000-4000-8000-0000000000aa' }] } },
    { as: USERS.alice },
  )
  t.not(graft.code, 0)
  t.match(graft.stderr, /metadata\.ownerReferences\[0\]: Forbidden: an owner cannot be added after creation/)
  const owner = JSON.parse(await kubectlOk(['create', 'configmap', 'owner', '-n', ns, '-o', 'json'])) as K8sObject
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }
  const stored = await failed('owned', { patch: (w) => (w.metadata.ownerReferences = [ref]) })
  await ok(kubectl(['delete', 'configmap', 'owner', '-n', ns]), 'delete the owner')
  const [line] = await waitRecords(stored.metadata.uid)
  t.match(line, {
    event: 'workflowexecution.block.deleted',
    admitted: true,
    actor: { username: USERS.garbageCollector },
    cause: { why: 'owner deleted', owners: [owner.metadata.uid] },
  })
})

t.test('a clearance before failureDetails is refused: nothing to clear; once the block is in force it records once', async (t) => {
  const { failureDetails: _fd, ...bare } = FAILED
  const stored = await failed('early', { status: bare })
  const early = await patch(ns, 'early', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true })
  t.not(early.code, 0)
  t.match(early.stderr, /nothing to clear: no block is in force/)
  const [refused] = await apiserverEvents('early', USERS.alice)
  t.match(webhookAnnotations(refused!), { act: 'clear-block', decision: 'refused' })
  await ok(patch(ns, 'early', { status: FAILED }, { as: USERS.controller, status: true }), 'failureDetails')
  await ok(patch(ns, 'early', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true }), 'clear')
  const lines = await waitRecords(stored.metadata.uid)
  t.equal(lines.length, 1)
})

t.test('near-miss annotation keys warn naming the real key and record nothing; the real key records once', async (t) => {
  const stored = await failed('near')
  for (const key of ['kubernaut.ai/clear_execution_block', 'www.kubernaut.ai/clear-execution-block']) {
    const r = await kubectl(['annotate', 'workflowexecutions.kubernaut.ai', 'near', '-n', ns, `${key}=${REASON}`], { as: USERS.alice })
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /Warning: .*the block is NOT cleared: did you mean kubernaut\.ai\/clear-execution-block\?/)
  }
  await ok(
    kubectl(['annotate', 'workflowexecutions.kubernaut.ai', 'near', '-n', ns, `${CLEAR}=${REASON}`], { as: USERS.alice }),
    'annotate',
  )
  const lines = await waitRecords(stored.metadata.uid)
  t.match(lines, [{ method: 'Annotation', actor: { username: USERS.alice } }])
})

t.test('bad input: without its Role the recorder says why once, admission goes on, and it catches up once restored', async (t) => {
  const binding = JSON.parse(await kubectlOk(['get', 'rolebinding', 'wfe-admission-audit', '-n', SERVER_NS, '-o', 'json'])) as K8sObject
  for (const owned of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields']) delete binding.metadata[owned]
  let restored = false
  const restore = async (): Promise<void> => {
    if (restored) return
    restored = true
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(binding) })
  }
  t.teardown(restore)
  const before = (await Promise.all(logs.map((f) => serverLog(f)))).flat().length
  await kubectlOk(['delete', 'rolebinding', 'wfe-admission-audit', '-n', SERVER_NS])
  const stored = await failed('outage')
  await ok(patch(ns, 'outage', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true }), 'clear')
  t.equal((await get(ns, 'outage')).status.blockClearance.clearedBy, USERS.alice, 'admission went on')
  const said = await eventually(
    'the recorder saying why',
    async () => {
      const lines = (await Promise.all(logs.map((f) => serverLog(f)))).flat().slice(before)
      const why = lines.filter((l) => /^audit recorder cannot|^admission marker not written/.test(String(l.msg)))
      return why.length > 0 ? why : undefined
    },
    60_000,
  )
  t.match(said[0]?.err?.message, /forbidden/i)
  await restore()
  const lines = await waitRecords(stored.metadata.uid)
  t.equal(lines.length, 1, 'caught up: one record')
})

t.test('a restart lists everything again and records nothing twice; every record is written exactly once', async (t) => {
  const restarted = replicas.pop() as WebhookServer
  await restarted.stop()
  replicas.push(await replica(2))
  // A fresh clearance after the restart shows the recorder (whichever replica leads) has caught up.
  const stored = await failed('after-restart')
  await ok(patch(ns, 'after-restart', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true }), 'clear')
  await waitRecords(stored.metadata.uid)
  const all = (await Promise.all(logs.map((f) => serverLog(f)))).flat().filter((l) => l.logger === 'audit')
  const byKey = new Map<string, number>()
  for (const l of all) byKey.set(l.recordKey, (byKey.get(l.recordKey) ?? 0) + 1)
  t.same(
    [...byKey.entries()].filter(([, n]) => n !== 1),
    [],
    'no record key written twice across three replicas and a restart',
  )
  const leaders = JSON.parse(await kubectlOk(['get', 'lease', 'wfe-admission-audit-recorder', '-n', SERVER_NS, '-o', 'json'])) as K8sObject
  t.type(leaders.spec.holderIdentity, 'string')
})
