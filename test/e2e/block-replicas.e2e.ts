// Three replicas against the real kube-apiserver (the main server and two more, each with a
// ValidatingWebhookConfiguration of its own, so the apiserver asks all three about every write):
// they refuse alike while a target is blocked and admit alike once it is cleared, a restarted one
// included. And the lag, measured: from sending the clearance to the first CREATE that all three
// admit, over WFE_PROPAGATION_TRIES tries (20 by default; docs/blocks.md reports a run of 120).
// Numbers are reported, never asserted.
import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GROUP, RESOURCE, VERSION } from '../../src/api/workflowexecution.js'
import { aFailedExecution } from '../helpers/objects.js'
import { USERS, cluster, namespace, wfe } from './harness.js'
import { extraReplica, fastClient, refusals, type Replica } from './block-helpers.js'

const ns = await namespace('e2e-replicas')
const TRIES = Number(process.env['WFE_PROPAGATION_TRIES'] ?? 20)
const REASON = 'checked the rollout by hand and the deployment is healthy again'
const FAILED = aFailedExecution().status as Record<string, any>
const base = `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${RESOURCE}`

t.test(`three replicas, one restarted mid-way, agree; the lag from clearance to admitted CREATE over ${TRIES} tries`, async (t) => {
  const replicas: Replica[] = []
  t.teardown(() => Promise.all(replicas.map((r) => r.stop())))
  replicas.push(await extraReplica(2), await extraReplica(3))
  const probePorts = (): number[] => [cluster.webhook.probePort, ...replicas.map((r) => r.server.probePort)]
  const call = await fastClient()
  const must = async (what: string, r: Promise<{ ok: boolean; message: string }>): Promise<void> => {
    const answer = await r
    if (!answer.ok) throw new Error(`${what}: ${answer.message}`)
  }
  const dryRun = (target: string) =>
    call({
      method: 'POST',
      path: `${base}?dryRun=All`,
      as: USERS.orchestrator,
      body: wfe(ns, `probe-${Math.random().toString(36).slice(2, 8)}`, (w) => {
        w.spec.targetResource = target
      }),
    })
  const lags: number[] = []
  for (let i = 0; i < TRIES; i++) {
    if (i === Math.floor(TRIES / 2)) {
      // A pod restart mid-way: it lists everything stored before it is ready, so it agrees at once.
      await replicas[1]!.restart()
      t.comment(`restarted ${replicas[1]!.name} before try ${i}`)
    }
    const name = `m-${i}`
    const target = `${ns}/Deployment/${name}`
    await must(
      'create',
      call({ method: 'POST', path: base, as: USERS.orchestrator, body: wfe(ns, name, (w) => void (w.spec.targetResource = target)) }),
    )
    const failed = { ...FAILED, failureDetails: { ...FAILED['failureDetails'], wasExecutionFailure: true } }
    for (const status of [{ phase: 'Pending' }, { phase: 'Running', startTime: FAILED['startTime'] }, failed])
      await must('status', call({ method: 'PATCH', path: `${base}/${name}/status`, as: USERS.controller, body: { status } }))
    // Every replica has seen the block: each one's refusal counter moved on the same dry-run CREATE.
    for (;;) {
      const before = await Promise.all(probePorts().map((p) => refusals(p)))
      const verdict = await dryRun(target)
      const after = await Promise.all(probePorts().map((p) => refusals(p)))
      if (!verdict.ok && after.every((n, k) => n > (before[k] as number))) break
    }
    const sent = performance.now()
    await must(
      'clear',
      call({
        method: 'PATCH',
        path: `${base}/${name}/status`,
        as: USERS.alice,
        body: { status: { blockClearance: { clearReason: REASON } } },
      }),
    )
    // Admitted only when all three admit: the apiserver asks each and any refusal refuses.
    while (!(await dryRun(target)).ok);
    lags.push(performance.now() - sent)
  }
  const sorted = [...lags].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number
  const summary = { tries: TRIES, replicas: 3, p50Ms: Math.round(at(0.5)), p99Ms: Math.round(at(0.99)), maxMs: Math.round(at(1)) }
  t.comment(`clearance sent → CREATE admitted by all three replicas: ${JSON.stringify(summary)}`)
  await writeFile(join(cluster.dir, 'block-propagation.json'), JSON.stringify({ ...summary, lagsMs: lags.map(Math.round) }))
  t.equal(lags.length, TRIES, 'every clearance reached every replica, the restarted one included')
})
