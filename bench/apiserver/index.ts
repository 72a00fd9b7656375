// What a write costs the cluster (issue 23): the same WorkflowExecution writes through a real
// kube-apiserver (the loopback control plane of `npm run cluster -- --webhook`), in alternating
// rounds with both webhook configurations registered and removed. Reports writes/s, p50/p99 per
// write, a steady 100 writes/s, the apiserver's own per-webhook call latency from its /metrics, and
// records the AdmissionReviews it sends (recorded-mix.ts) for the in-process load mix.
// `npx tsx bench/apiserver/index.ts` runs this step alone; `npm run bench` runs it as step 7.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startCluster, type ClusterInfo } from '../../test/cluster/main.js'
import { installFixtures } from '../../test/e2e/setup.js'
import { kubectlOrThrow } from '../../test/cluster/kubectl.js'
import { waitUntil } from '../../test/cluster/processes.js'
import { applyObjects, loopbackWebhookConfigurations, webhookState, type K8sObject } from '../../test/cluster/webhook.js'
import { kustomize } from '../../test/manifests/kustomize.js'
import { kubeClient, type KubeClient } from './client.js'
import { closedLoop, paced, quantile } from './load.js'
import { difference, webhookHistograms, type Buckets } from './histogram.js'
import { countedProcesses, cpuNow, cpuSince } from './cpu-split.js'
import { report, STEADY_RATE, WORKERS, type Round, type RowFn } from './report.js'
import { Lifecycle } from './lifecycle.js'
import { startRecorder } from './recorder.js'
import { describeRecorded, saveRecordedMix, summariseRecorded } from './recorded-mix.js'

const ROUNDS = Number(process.env['BENCH_APISERVER_ROUNDS'] ?? 2)
const THROUGHPUT_MS = Number(process.env['BENCH_APISERVER_SECONDS'] ?? 8) * 1000
const STEADY_MS = 10_000
const NS = 'bench-writes'
const RECORDED_LIFECYCLES = 20

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const ms = (v: number): string => `${v.toFixed(2)} ms`

export async function benchApiserver(row: RowFn, log: (line: string) => void = (l) => console.log(`    ${l}`)): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-bench-cluster-'))
  const cluster = await startCluster({ dir, webhook: true, operators: false, reset: false, log: (l) => log(`cluster: ${l}`) })
  const info = cluster.info as ClusterInfo & { webhook: NonNullable<ClusterInfo['webhook']> }
  const pkiDir = dirname(info.webhook.clientCa)
  const client = kubeClient({ server: info.server, pkiDir })
  try {
    await installFixtures(info)
    await kubectlOrThrow(info.kubectl, info.kubeconfig, ['create', 'namespace', NS])
    const caPem = await readFile(info.webhook.caFile, 'utf8')
    const objects = await kustomize('manifests')
    const toggle = webhookToggle(info, objects, caPem)

    // The recording pass: the same sequence, through a recording proxy, untimed.
    const recorder = await startRecorder({
      certDir: info.webhook.certDir,
      pkiDir,
      upstreamPort: info.webhook.port,
      namespace: NS,
    })
    await toggle.point(recorder.port)
    for (let i = 0; i < RECORDED_LIFECYCLES; i++) {
      const l = new Lifecycle(client, NS, `bench-record-${i}`)
      while (!l.done) await l.next()
    }
    await toggle.point(info.webhook.port)
    await recorder.close()
    const recorded = summariseRecorded(recorder.reviews, RECORDED_LIFECYCLES)
    if (process.env['BENCH_RECORD'] === '1') await saveRecordedMix(recorded)
    row('7', `AdmissionReviews the apiserver sent for ${RECORDED_LIFECYCLES} lifecycles (7 writes each)`, describeRecorded(recorded))

    log(`warm-up (load ${load()})`)
    await closedLoop(client, NS, 'warm', WORKERS, 2000)
    const rounds: Round[] = []

    const processes = await countedProcesses(dir, info.webhook.pid)
    // The apiserver's view of the calls, apart for the saturated phase and the steady 100 writes/s.
    let saturated: Map<string, Buckets> | undefined
    let steadyCalls: Map<string, Buckets> | undefined
    let served: Map<string, Buckets> | undefined
    for (let i = 0; i < ROUNDS * 2; i++) {
      const webhooks = i % 2 === 0
      if (webhooks) await toggle.on()
      else await toggle.off()
      // Each round pays for its own records only: the clearances a round without the webhooks stored
      // are recorded (as unadmitted, after the grace period) before the next round starts.
      await recorderCaughtUp(info.webhook.probePort, Lifecycle.clearances, log)
      const cpu0 = cpuNow(processes)
      const m0 = webhooks ? await scrape(client) : undefined
      const throughput = await closedLoop(client, NS, `r${i}`, WORKERS, THROUGHPUT_MS)
      const m1 = webhooks ? await scrape(client) : undefined
      const s1 = webhooks ? await scrapeServer(info.webhook.probePort) : undefined
      const steady = await paced(client, NS, `s${i}`, STEADY_RATE, STEADY_MS)
      if (m0 !== undefined && m1 !== undefined && s1 !== undefined) {
        saturated = accumulate(saturated, difference(m1, m0))
        steadyCalls = accumulate(steadyCalls, difference(await scrape(client), m1))
        served = accumulate(served, difference(await scrapeServer(info.webhook.probePort), s1))
      }
      const r: Round = { webhooks, throughput, steady, load: load(), cpu: cpuSince(cpu0, cpuNow(processes)) }
      rounds.push(r)
      log(
        `round ${i + 1} ${webhooks ? 'with   ' : 'without'} webhooks: ${(throughput.writes / throughput.seconds).toFixed(0)} writes/s (p50 ${ms(quantile(throughput.latencies, 0.5))}, p99 ${ms(quantile(throughput.latencies, 0.99))}); steady ${STEADY_RATE}/s p99 ${ms(quantile(steady.latencies, 0.99))} (load ${r.load})`,
      )
    }
    await toggle.on()
    const none = new Map<string, Buckets>()
    report(row, rounds, { saturated: saturated ?? none, steady: steadyCalls ?? none, served: served ?? none })
    row(
      '7',
      'wfe-admission log during step 7: warnings and errors (the server runs the audit recorder as installed)',
      await logHealth(info.webhook.log),
    )
  } finally {
    client.close()
    await cluster.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Waits until wfe-admission has recorded as many clearances as the lifecycles stored (its records counter). */
async function recorderCaughtUp(probePort: number, clearances: number, log: (line: string) => void): Promise<void> {
  const recorded = async (): Promise<number> => {
    return (await serverMetrics(probePort))
      .split('\n')
      .filter((l) => l.startsWith('wfe_admission_audit_records_total{'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
  }
  const t0 = performance.now()
  await waitUntil(`wfe-admission recorded ${clearances} clearances`, async () => ((await recorded()) >= clearances ? true : undefined), {
    timeoutMs: 180_000,
  })
  const s = (performance.now() - t0) / 1000
  if (s > 1) log(`the recorder caught up on ${clearances} clearances in ${s.toFixed(1)} s`)
}

/**
 * The server's own complaints while it was measured: a missing RBAC grant, a Lease it cannot hold or
 * a recorder falling behind would cost CPU and distort the rounds, so they are shown, not hidden.
 * Rounds without the webhooks store clearances nobody admitted, which the recorder reports by design.
 */
async function logHealth(file: string): Promise<string> {
  const counts = new Map<string, number>()
  let warnings = 0
  let errors = 0
  for (const text of (await readFile(file, 'utf8')).split('\n')) {
    if (text === '') continue
    let line: { level?: number; msg?: string }
    try {
      line = JSON.parse(text) as { level?: number; msg?: string }
    } catch {
      continue
    }
    if ((line.level ?? 0) < 40) continue
    if ((line.level ?? 0) >= 50) errors++
    else warnings++
    const msg = (line.msg ?? '').slice(0, 80)
    counts.set(msg, (counts.get(msg) ?? 0) + 1)
  }
  const top = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([m, n]) => `${n} × "${m}"`)
  return `${warnings} warnings, ${errors} errors${top.length > 0 ? `: ${top.join('; ')}` : ''}`
}

function accumulate(sum: Map<string, Buckets> | undefined, add: Map<string, Buckets>): Map<string, Buckets> {
  if (sum === undefined) return add
  for (const [name, b] of add) {
    const s = sum.get(name) ?? new Map<number, number>()
    for (const [le, n] of b) s.set(le, (s.get(le) ?? 0) + n)
    sum.set(name, s)
  }
  return sum
}

async function scrape(client: KubeClient): Promise<Map<string, Buckets>> {
  const r = await client.get('/metrics')
  if (r.status !== 200) throw new Error(`apiserver /metrics: HTTP ${r.status}`)
  return webhookHistograms(r.body)
}

/** wfe-admission's own view: controller_runtime_webhook_latency_seconds, from request start to answer sent. */
async function scrapeServer(probePort: number): Promise<Map<string, Buckets>> {
  return webhookHistograms(await serverMetrics(probePort), 'controller_runtime_webhook_latency_seconds', 'webhook')
}

/** wfe-admission's own /metrics, from its probe port. */
async function serverMetrics(probePort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${probePort}/metrics`)).text()
}

/** Registers, removes or re-points the shipped webhook configurations, waiting until the apiserver acts on it. */
function webhookToggle(info: ClusterInfo, objects: readonly K8sObject[], caPem: string) {
  const cp = { kubectl: info.kubectl, kubeconfig: info.kubeconfig }
  const names = ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration'].map((k) => `${k}/wfe-admission.kubernaut.ai`)
  const state = async (want: boolean): Promise<true | undefined> => {
    const s = await webhookState(cp)
    return s !== undefined && s.mutating === want && s.validating === want ? true : undefined
  }
  const point = async (port: number): Promise<void> => {
    await applyObjects(cp, loopbackWebhookConfigurations(objects, port, caPem))
    await waitUntil('both webhooks answer', () => state(true), { timeoutMs: 60_000 })
  }
  return {
    point,
    on: () => point(info.webhook!.port),
    off: async (): Promise<void> => {
      await kubectlOrThrow(info.kubectl, info.kubeconfig, ['delete', '--ignore-not-found', ...names])
      await waitUntil('neither webhook is called', () => state(false), { timeoutMs: 60_000 })
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows: string[] = []
  console.log(`apiserver-level bench (load average ${load()})`)
  await benchApiserver((n, what, value, target = '', pass) =>
    rows.push(`| ${n} | ${what} | ${value} | ${target} | ${pass === undefined ? '' : pass ? 'PASS' : 'MISS'} |`),
  )
  console.log(['', '| # | measure | value | target | result |', '|---|---|---|---|---|', ...rows].join('\n'))
  console.log(`load average at end ${load()}`)
}
