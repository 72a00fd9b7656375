// Issue 11 against the real apiserver: every way to lift a block is refused or recorded, clearances
// are judged on what the apiserver stores, and the audit trail (one Event and one audit line per
// stored clearance, written by the post-commit watch) holds across three replicas and a restart,
// and says nothing for a write the apiserver refused after the webhooks admitted it.
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
  logMark,
  namespace,
  patch,
  serverLog,
  waitForLog,
  webhookAnnotations,
  wfe,
  type K8sObject,
} from './harness.js'

const ns = await namespace('e2e-lift')
const REASON = 'node pressure resolved and the cluster state was verified by hand'
const FAILED_STATUS = aFailedExecution().status as K8sObject
const CLEAR = 'kubernaut.ai/clear-execution-block'

async function ok(r: Promise<{ code: number; stderr: string }>, what: string): Promise<void> {
  const out = await r
  if (out.code !== 0) throw new Error(`${what}: ${out.stderr}`)
}

/** A stored execution driven through /status by the controller up to `phases`' last status. */
async function execution(name: string, until: 'Running' | 'Failed'): Promise<K8sObject> {
  await ok(create(wfe(ns, name), { as: USERS.orchestrator }), `create ${name}`)
  const steps = [
    { phase: 'Pending' },
    { phase: 'Running', startTime: FAILED_STATUS.startTime },
    ...(until === 'Failed' ? [FAILED_STATUS] : []),
  ]
  for (const status of steps)
    await ok(patch(ns, name, { status }, { as: USERS.controller, status: true }), `${name} → ${String(status.phase)}`)
  return get(ns, name)
}

const byReason = (name: string, reason: string) => async (): Promise<K8sObject[]> =>
  (await events(ns, name)).filter((e) => e.reason === reason && e.involvedObject?.name === name)

function waitEvents(name: string, reason = 'BlockCleared', n = 1): Promise<K8sObject[]> {
  return eventually(`${n} ${reason} Event(s) for ${name}`, async () => {
    const found = await byReason(name, reason)()
    return found.length >= n ? found : undefined
  })
}

/** Audit lines about one object in any of the given server logs. */
async function auditIn(files: readonly string[], name: string): Promise<K8sObject[]> {
  const all = await Promise.all(files.map((f) => serverLog(f)))
  return all.flat().filter((l) => l.logger === 'audit' && l.resource?.namespace === ns && l.resource?.name === name)
}

t.test('item 1: after Failed, failureDetails cannot be flipped or removed, by anyone', async (t) => {
  const stored = await execution('frozen', 'Failed')
  for (const user of [USERS.controller, USERS.alice]) {
    const flip = await patch(ns, 'frozen', { status: { failureDetails: { wasExecutionFailure: false } } }, { as: user, status: true })
    t.not(flip.code, 0, `flip by ${user}`)
    t.match(flip.stderr, /status\.failureDetails: Forbidden: failureDetails is immutable once the execution has failed/)
    const removed = await patch(ns, 'frozen', [{ op: 'remove', path: '/status/failureDetails' }], { as: user, status: true, type: 'json' })
    t.not(removed.code, 0, `removal by ${user}`)
  }
  t.same((await get(ns, 'frozen')).status.failureDetails, stored.status.failureDetails, 'stored unchanged')
})

t.test('item 2: deleting a blocked execution is refused with how to clear it; allowed once cleared', async (t) => {
  await execution('delete-me', 'Failed')
  for (const dry of [true, false]) {
    const r = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'delete-me', '-n', ns, ...(dry ? ['--dry-run=server'] : [])], {
      as: USERS.alice,
    })
    t.not(r.code, 0, dry ? 'dry run' : 'real')
    t.match(
      r.stderr,
      /admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied the request: metadata\.name: Forbidden: "delete-me" failed during execution and blocks remediation of .*Clear the block first \(kubectl patch workflowexecution delete-me -n /,
    )
  }
  const all = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', '--all', '-n', ns], { as: USERS.bob })
  t.not(all.code, 0, 'deletecollection is admitted item by item, and refused too')
  t.equal((await get(ns, 'delete-me')).metadata.name, 'delete-me', 'still stored')

  await ok(patch(ns, 'delete-me', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true }), 'clear')
  const r = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'delete-me', '-n', ns], { as: USERS.alice })
  t.equal(r.code, 0, r.stderr)
})

t.test('item 2, attacked through the matchCondition: what makes a DELETE skip the webhook cannot be forged', async (t) => {
  // The validating webhook skips a DELETE only when the stored object shows no block in force; an
  // attribution (-by and -at beside the clear annotation) shows it cleared. alice tries to store one
  // that the webhook did not write.
  await execution('forge-then-delete', 'Failed')
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  const annotate = (...pairs: string[]) =>
    kubectl(['annotate', '--overwrite', 'workflowexecutions.kubernaut.ai', 'forge-then-delete', '-n', ns, ...pairs], { as: USERS.alice })
  const attribution = await annotate(`${CLEAR}-by=${USERS.bob}`, `${CLEAR}-at=${at}`)
  t.not(attribution.code, 0, 'an attribution alone is refused (the mutating webhook is not called for it; the validating one is)')
  t.notOk((await get(ns, 'forge-then-delete')).metadata.annotations?.[`${CLEAR}-by`], 'nothing stored')
  const refused = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'forge-then-delete', '-n', ns], { as: USERS.alice })
  t.not(refused.code, 0, 'the DELETE is still sent to the validating webhook and refused')
  t.match(refused.stderr, /admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied the request/)
  // With the clear annotation the write is a clearance, and the webhook writes -by from the requester.
  t.equal((await annotate(`${CLEAR}=${REASON}`, `${CLEAR}-by=${USERS.bob}`, `${CLEAR}-at=${at}`)).code, 0)
  t.equal((await get(ns, 'forge-then-delete')).metadata.annotations?.[`${CLEAR}-by`], USERS.alice, 'attributed to alice, not bob')
  const allowed = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'forge-then-delete', '-n', ns], { as: USERS.alice })
  t.equal(allowed.code, 0, allowed.stderr)
})

t.test("item 2: the garbage collector's cascade is allowed and recorded once, as a Warning Event and an audit line", async (t) => {
  const stored = await execution('cascaded', 'Failed')
  const r = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'cascaded', '-n', ns], { as: USERS.garbageCollector })
  t.equal(r.code, 0, r.stderr)
  const [event] = await waitEvents('cascaded', 'BlockedExecutionDeleted')
  t.equal(event?.type, 'Warning')
  t.equal(event?.involvedObject?.uid, stored.metadata.uid)
  const line = await waitForLog(
    (l) => l.logger === 'audit' && l.event === 'workflowexecution.block.deleted' && l.resource?.name === 'cascaded',
  )
  t.equal(line.resource.uid, stored.metadata.uid)
})

t.test('item 3 (a): stored Failed, annotation plus status.phase Running on the main resource: stored, attributed, recorded', async (t) => {
  await execution('case-a', 'Failed')
  const r = await patch(ns, 'case-a', { metadata: { annotations: { [CLEAR]: REASON } }, status: { phase: 'Running' } }, { as: USERS.alice })
  t.equal(r.code, 0, r.stderr)
  const stored = await get(ns, 'case-a')
  t.equal(stored.status.phase, 'Failed', 'the apiserver kept the stored status')
  t.equal(stored.metadata.annotations[`${CLEAR}-by`], USERS.alice)
  const [event] = await waitEvents('case-a')
  t.match(event?.message, USERS.alice)
  const audit = await eventually('the audit line', async () => {
    const l = await auditIn([cluster.webhook.log], 'case-a')
    return l.length > 0 ? l : undefined
  })
  t.equal(audit[0]?.method, 'Annotation')
})

t.test(
  'item 3 (b): stored Running, annotation plus status.phase Failed: refused, nothing recorded; CREATE with a Failed status too',
  async (t) => {
    await execution('case-b', 'Running')
    const mark = await logMark()
    const r = await patch(
      ns,
      'case-b',
      { metadata: { annotations: { [CLEAR]: REASON } }, status: { phase: 'Failed' } },
      { as: USERS.alice },
    )
    t.not(r.code, 0)
    t.match(r.stderr, /a block can be cleared only on a failed execution: status\.phase is "Running"/)
    const created = await create(
      wfe(ns, 'case-b-create', (w) => {
        w.metadata.annotations = { [CLEAR]: REASON }
        w.status = FAILED_STATUS
      }),
      { as: USERS.alice },
    )
    t.not(created.code, 0, 'status is dropped on CREATE, so there is no failure to clear')
    // The later real clearance of the same execution is the event that shows the watch has caught up.
    await ok(patch(ns, 'case-b', { status: FAILED_STATUS }, { as: USERS.controller, status: true }), 'fail it')
    await ok(patch(ns, 'case-b', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.bob, status: true }), 'clear it')
    const found = await waitEvents('case-b')
    t.equal(found.length, 1)
    t.match(found[0]?.message, USERS.bob)
    t.notOk(
      (await mark()).some((l) => l.actor?.username === USERS.alice && /admitted/.test(String(l.msg))),
      "the mutating webhook did not even log alice's write as admitted",
    )
    t.same(
      (await auditIn([cluster.webhook.log], 'case-b')).map((l) => l.actor.username),
      [USERS.bob],
    )
  },
)

t.test(
  'item 3 (c): a /status clearance carrying another uid and remediationRequestRef is recorded under the stored identity',
  async (t) => {
    const stored = await execution('case-c', 'Failed')
    const body = {
      metadata: { uid: '00000000-0000-4000-8000-00000000f04e' },
      spec: { remediationRequestRef: { name: 'rr-forged' } },
      status: { blockClearance: { clearReason: REASON } },
    }
    const r = await patch(ns, 'case-c', body, { as: USERS.alice, status: true })
    t.equal(r.code, 0, r.stderr)
    const after = await get(ns, 'case-c')
    t.equal(after.metadata.uid, stored.metadata.uid, 'the apiserver kept the stored uid')
    t.equal(after.spec.remediationRequestRef.name, 'rr-case-c')
    const [event] = await waitEvents('case-c')
    t.equal(event?.involvedObject?.uid, stored.metadata.uid)
    const [line] = await eventually('the audit line', async () => {
      const l = await auditIn([cluster.webhook.log], 'case-c')
      return l.length > 0 ? l : undefined
    })
    t.equal(line?.resource?.uid, stored.metadata.uid)
    t.equal(line?.correlationId, 'rr-case-c')
  },
)

t.test(
  'item 4: a clearance the apiserver refused after admission (a conflict) leaves no record; the apiserver audit log shows it admitted, then 409',
  async (t) => {
    const stored = await execution('conflict', 'Failed')
    const stale = String(Number(stored.metadata.resourceVersion) - 1)
    const r = await patch(
      ns,
      'conflict',
      { metadata: { resourceVersion: stale }, status: { blockClearance: { clearReason: REASON } } },
      { as: USERS.alice, status: true },
    )
    t.not(r.code, 0)
    t.match(r.stderr, /Conflict|the object has been modified/)
    await waitForLog(
      (l) => /block clearance admitted;/.test(String(l.msg)) && l.resource?.name === 'conflict' && l.actor?.username === USERS.alice,
    )
    await ok(
      patch(ns, 'conflict', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.bob, status: true }),
      'the real clearance',
    )
    const found = await waitEvents('conflict')
    t.equal(found.length, 1)
    t.match(found[0]?.message, USERS.bob)
    // The apiserver's own audit log tells "admitted" from "stored": alice's request carries the
    // mutating webhook's admission and the 409 the apiserver answered after it (the conflict is
    // found before the validating webhook is called).
    const [refused] = await eventually('the apiserver audit event of the refused write', async () => {
      const found = await apiserverAudit(
        (e) =>
          e.objectRef?.name === 'conflict' &&
          e.impersonatedUser?.username === USERS.alice &&
          webhookAnnotations(e, 'mutate-status.workflowexecution.kubernaut.ai')['decision'] === 'admitted' &&
          e.responseStatus?.code === 409,
      )
      return found.length > 0 ? found : undefined
    })
    t.equal(refused?.responseStatus?.code, 409)
    t.match(webhookAnnotations(refused!, 'mutate-status.workflowexecution.kubernaut.ai'), {
      act: 'clear-block',
      decision: 'admitted',
      user: USERS.alice,
    })
    t.same(
      (await auditIn([cluster.webhook.log], 'conflict')).map((l) => l.actor.username),
      [USERS.bob],
      "one audit line: bob's, the stored one",
    )
  },
)

t.test('item 4: three replicas and a restart: one Event and one audit line per stored clearance', async (t) => {
  const replicas: WebhookServer[] = []
  t.teardown(() => Promise.all(replicas.map((r) => r.stop())))
  const start = async (i: number): Promise<WebhookServer> => {
    const dir = join(cluster.dir, `replica-${i}-${Date.now()}`)
    await mkdir(dir, { recursive: true })
    await loopbackCertificates(join(dir, 'certs'))
    const server = await startWebhookServer({
      port: cluster.webhookPorts[i] as number,
      certDir: join(dir, 'certs'),
      logFile: join(dir, 'server.log'),
      kubeconfig: cluster.webhook.serverKubeconfig,
    })
    await waitForLog((l) => /audit recorder in sync/.test(String(l.msg)), { file: server.logFile, timeoutMs: 60_000 })
    return server
  }
  replicas.push(await start(1), await start(2))
  // Every replica's log, the stopped one's included: any of them may have won the Event.
  const everLogged = [cluster.webhook.log, ...replicas.map((r) => r.logFile)]
  const logs = (): string[] => everLogged

  await execution('replicated', 'Failed')
  await ok(
    kubectl(['annotate', 'workflowexecutions.kubernaut.ai', 'replicated', '-n', ns, `${CLEAR}=${REASON}`], { as: USERS.bob }),
    'annotate',
  )
  const annotations = (await get(ns, 'replicated')).metadata.annotations
  const copy = {
    clearMethod: 'Annotation',
    clearReason: REASON,
    clearedBy: annotations[`${CLEAR}-by`],
    clearedAt: annotations[`${CLEAR}-at`],
  }
  await ok(patch(ns, 'replicated', { status: { blockClearance: copy } }, { as: USERS.controller, status: true }), "the controller's copy")
  await waitEvents('replicated')
  const lines = await eventually('one audit line', async () => {
    const l = await auditIn(logs(), 'replicated')
    return l.length > 0 ? l : undefined
  })

  // A restart lists everything stored; the Event is already there, so it writes nothing.
  const restarted = replicas.pop() as WebhookServer
  await restarted.stop()
  replicas.push(await start(2))
  everLogged.push(replicas[1]!.logFile)
  t.equal((await auditIn([replicas[1]!.logFile], 'replicated')).length, 0, 'the restarted replica wrote no audit line')
  t.equal(lines.length, 1, 'one audit line across three replicas, for the annotation and its copy')
  t.equal((await auditIn(logs(), 'replicated')).length, 1)
  t.equal((await byReason('replicated', 'BlockCleared')()).length, 1, 'one Event')
})

t.test(
  'item 5: anonymous cannot clear; case-variant keys are refused naming the real key; no second record after the status is attributed',
  async (t) => {
    await execution('holes', 'Failed')
    // In system:unauthenticated (plus system:authenticated, so that RBAC lets the request reach the webhook).
    const anon = await patch(
      ns,
      'holes',
      { status: { blockClearance: { clearReason: REASON } } },
      { as: 'mallory', asGroups: ['system:unauthenticated', 'system:authenticated'], status: true },
    )
    t.not(anon.code, 0)
    t.match(anon.stderr, /authentication required/)
    const variant = await kubectl(
      ['annotate', 'workflowexecutions.kubernaut.ai', 'holes', '-n', ns, `Kubernaut.AI/clear-execution-block=${REASON}`],
      { as: USERS.alice },
    )
    t.not(variant.code, 0)
    t.match(variant.stderr, /use kubernaut\.ai\/clear-execution-block/)
    await ok(patch(ns, 'holes', { status: { blockClearance: { clearReason: REASON } } }, { as: USERS.alice, status: true }), 'clear')
    const again = await kubectl(['annotate', 'workflowexecutions.kubernaut.ai', 'holes', '-n', ns, `${CLEAR}=${REASON} and again`], {
      as: USERS.bob,
    })
    t.not(again.code, 0)
    t.match(again.stderr, /already cleared by/)
    t.equal((await waitEvents('holes')).length, 1)
  },
)
