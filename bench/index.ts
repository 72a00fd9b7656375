// `npm run bench`: in one run, side by side, on this machine:
//   1. the in-process core per request type of the mix: tinybench on one reused object, and admit()
//      µs on freshly parsed reviews (bench/admit-fresh.ts), as the server sees them;
//   2. the built `serve` process (node dist/cli/main.js serve --dev-certs, logging at info to a file)
//      over TLS with keep-alive, autocannon at 50 connections, the ~10 KiB mix;
//   3. a bare fastify HTTPS baseline in its own process with the same TLS pair and socket settings
//      (the stack's ceiling), run alternately with 2, and the ratio server/baseline; on the recorded
//      mix also its two floors (bench/baseline.ts: + our parse and decode, + admit()), which say
//      where the server's CPU per review goes, layer by layer (bench/floors.ts);
//   4. a steady 2,000 requests/s over 10 connections for 10 s, latency from our own hrtime client;
//   5. spawn to /readyz 200 (cold, dev certificates generated), and serve's RSS during 2-4;
//   6. memory after bursts (bench/bursts.ts): a 5 MiB string, an 8 MiB body, 40,000 ordinary reviews;
//   7. what a write costs the cluster (bench/apiserver/): real client writes through the loopback
//      kube-apiserver with the webhooks registered and removed, alternating; the apiserver's own
//      per-webhook latency; and the AdmissionReviews it sent, recorded (BENCH_RECORD=1 saves them to
//      bench/fixtures/recorded-mix.json). BENCH_APISERVER=0 skips this step.
// Steps 2-3 run two mixes: the recorded one (what a cluster sends for the lifecycle) and the
// denial-heavy ~10 KiB mix of bench/mix.ts.
// Steps 2-4 also report CPU µs per review of each process (CPU time / answered reviews), which
// other load on a shared machine distorts less than throughput. Load generators run in a child
// process (bench/fork.ts). Prints a table with PASS/MISS per target and the load average per step.
//
// Subsets (the whole run takes about 6 minutes on 2 quiet cores, step 7 about half of it):
//   BENCH_STEPS=2,7    only these steps; 2 and 3 run together (serve against the baseline), and any
//                      of 2, 3, 4, 6 starts the serve process (its RSS rows, 5, come with it)
//   BENCH_MIX=recorded steps 2-3 on the recorded mix only (or `denial-heavy`); both by default
//   BENCH_APISERVER=0  skips step 7 (as BENCH_STEPS without 7)
// e.g. the recorded-mix rows and step 7 alone: BENCH_STEPS=2,7 BENCH_MIX=recorded npm run bench
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { benchCore } from './core.js'
import { benchAdmitFresh } from './admit-fresh.js'
import { cpuSecondsOf, cpuUsPerReview } from './cpu.js'
import { burstsThenOrdinary, describeMemory } from './bursts.js'
import { requestMix } from './mix.js'
import { toWire, type WireEntry } from './check.js'
import { runGenerators } from './fork.js'
import type { AutocannonResult, Measured, PacedResult, Target } from './jobs.js'
import { floorRows, throughputRows } from './throughput-rows.js'
import { MiB, rssOf, sampleRss } from './rss.js'
import { distState, memoryLimitBytes, NODE_FLAGS, spawnBaseline, spawnServe } from './serve-process.js'
import { recordedMixEntries } from './apiserver/recorded-mix.js'
import { benchApiserver } from './apiserver/index.js'

const THROUGHPUT_S = Number(process.env['BENCH_SECONDS'] ?? 6)
const ROUNDS = 2
const STEPS = stepsToRun(process.env['BENCH_STEPS'], process.env['BENCH_APISERVER'])
const MIXES = mixesToRun(process.env['BENCH_MIX'])

function stepsToRun(list: string | undefined, apiserver: string | undefined): Set<number> {
  const all = [1, 2, 3, 4, 5, 6, 7]
  const steps = new Set(list === undefined || list.trim() === '' ? all : list.split(',').map((s) => Number(s.trim())))
  for (const n of steps) {
    if (!all.includes(n)) {
      console.error(`bench: BENCH_STEPS=${list}: ${n} is not a step; the steps are 1 to 7, comma-separated (e.g. BENCH_STEPS=2,7)`)
      process.exit(2)
    }
  }
  if (steps.has(2) || steps.has(3)) {
    steps.add(2)
    steps.add(3)
  }
  if (apiserver === '0') steps.delete(7)
  return steps
}

function mixesToRun(mix: string | undefined): Set<string> {
  if (mix === undefined || mix === '' || mix === 'both') return new Set(['recorded mix', 'denial-heavy mix'])
  if (mix === 'recorded' || mix === 'denial-heavy') return new Set([`${mix} mix`])
  console.error(`bench: BENCH_MIX=${mix}: use recorded, denial-heavy or both (the default)`)
  process.exit(2)
}

interface Row {
  n: string
  what: string
  value: string
  target: string
  pass?: boolean
}
const rows: Row[] = []
const row = (n: string, what: string, value: string, target = '', pass?: boolean): void => {
  rows.push(pass === undefined ? { n, what, value, target } : { n, what, value, target, pass })
}
const ms = (v: number): string => `${v.toFixed(3)} ms`
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/** One autocannon round; `pid` is the server process, whose CPU time is read before and after. */
async function autocannon(target: Target, entries: WireEntry[], durationS: number, pid: number): Promise<Measured> {
  const cpu0 = cpuSecondsOf(pid)
  const [r] = await runGenerators([{ kind: 'autocannon', target, entries, connections: 50, durationS }]).results
  const a = r as AutocannonResult
  if (a.non2xx + a.errors + a.timeouts + a.wrong > 0) throw new Error(`failures under load: ${JSON.stringify(a)}`)
  return { ...a, cpuUs: cpuUsPerReview(cpu0, cpuSecondsOf(pid), a.requests) }
}

async function main(): Promise<void> {
  const state = distState()
  if (state !== 'fresh') {
    console.error(`bench: dist/ is ${state}; run \`npm run build\` first (step 5 measures the built CLI)`)
    process.exit(2)
  }
  const flags = NODE_FLAGS.length > 0 ? `; serve and baseline run with ${NODE_FLAGS.join(' ')}` : ''
  const machine = `${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, node ${process.version}, ${process.platform}/${process.arch}${flags}`
  console.log(`bench: ${machine}; load average at start ${load()}`)
  const loadAtStart = load()
  console.log(`bench: steps ${[...STEPS].sort().join(', ')}${STEPS.has(2) ? `; ${[...MIXES].join(' and ')}` : ''}`)
  const root = await mkdtemp(join(tmpdir(), 'wfe-bench-'))
  try {
    if (STEPS.has(1)) await core()
    if (STEPS.has(5)) await startToReady(root)
    if (STEPS.has(2) || STEPS.has(4) || STEPS.has(6)) await servers(root)
    if (STEPS.has(7)) {
      console.log(`7/7 writes through the loopback kube-apiserver, with and without the webhooks (load ${load()})…`)
      await benchApiserver(row)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  print(machine, loadAtStart)
}

async function core(): Promise<void> {
  console.log(`1/7 core in process (tinybench, then admit() on freshly parsed reviews; load ${load()})…`)
  const results = await benchCore(500)
  const min = Math.min(...results.map((r) => r.opsPerSec))
  for (const r of results)
    row(
      '1',
      `core ${r.name} (${r.webhook}), one reused object`,
      `${r.opsPerSec.toLocaleString('en')} reviews/s`,
      '≥ 50,000/s',
      r.opsPerSec >= 50_000,
    )
  console.log(`    slowest: ${min.toLocaleString('en')} reviews/s`)
  const fresh = benchAdmitFresh()
  for (const r of fresh) {
    const limit = r.name === 'status-routine' ? 5 : 10
    row(
      '1',
      `admit() ${r.name} (${r.webhook}), freshly parsed: median (p90)`,
      `${r.medianUs.toFixed(2)} µs (${r.p90Us.toFixed(2)})`,
      `≤ ${limit} µs`,
      r.medianUs <= limit,
    )
  }
  console.log(`    admit() on fresh reviews: slowest median ${Math.max(...fresh.map((r) => r.medianUs)).toFixed(2)} µs (load ${load()})`)
}

async function servers(root: string): Promise<void> {
  const serve = await spawnServe(root, 'bench')
  const baseline = await spawnBaseline(serve.certDir)
  const floors =
    STEPS.has(2) && MIXES.has('recorded mix')
      ? await Promise.all((['parse', 'core'] as const).map(async (name) => ({ name, process: await spawnBaseline(serve.certDir, name) })))
      : []
  const ca = await readFile(join(serve.certDir, 'ca.crt'), 'utf8')
  const real: Target = { port: serve.port, ca }
  const bare: Target = { port: baseline.port, ca }
  const entries = toWire(requestMix())
  const bareEntries = toWire(requestMix(), false)
  await sleep(500)
  const idle = rssOf(serve.child.pid)
  const rss = sampleRss(serve.child.pid)
  try {
    console.log(
      `2-3/7 serve and baseline processes, autocannon 50 connections, ${ROUNDS} alternating rounds of ${THROUGHPUT_S} s (after 2 s warm-up each)…`,
    )
    const servePid = serve.child.pid!
    const basePid = baseline.child.pid!
    const recorded = recordedMixEntries()
    const mixes = [
      { label: 'recorded mix', entries: toWire(recorded), bare: toWire(recorded, false) },
      { label: 'denial-heavy mix', entries, bare: bareEntries },
    ]
    for (const mix of mixes) {
      if (!STEPS.has(2) || !MIXES.has(mix.label)) continue
      // The parse floor always answers allowed, so its answers are not checked; the core floor's are.
      const others = (mix.label === 'recorded mix' ? floors : []).map((f) => ({
        name: f.name,
        target: { port: f.process.port, ca },
        entries: f.name === 'parse' ? mix.bare : mix.entries,
        pid: f.process.child.pid!,
      }))
      await autocannon(real, mix.entries, 2, servePid)
      await autocannon(bare, mix.bare, 2, basePid)
      for (const o of others) await autocannon(o.target, o.entries, 2, o.pid)
      const s: Measured[] = []
      const b: Measured[] = []
      const f: Measured[][] = others.map(() => [])
      const loads: string[] = []
      for (let i = 0; i < ROUNDS; i++) {
        s.push(await autocannon(real, mix.entries, THROUGHPUT_S, servePid))
        b.push(await autocannon(bare, mix.bare, THROUGHPUT_S, basePid))
        for (const [j, o] of others.entries()) f[j]!.push(await autocannon(o.target, o.entries, THROUGHPUT_S, o.pid))
        loads.push(load())
        const floorsSaid = f
          .map((m, j) => `, ${others[j]!.name} floor ${Math.round(m[i]!.rps)} req/s ${m[i]!.cpuUs.toFixed(1)} µs`)
          .join('')
        console.log(
          `    ${mix.label} round ${i + 1}: server ${Math.round(s[i]!.rps)} req/s ${s[i]!.cpuUs.toFixed(1)} CPU µs/review, baseline ${Math.round(b[i]!.rps)} req/s ${b[i]!.cpuUs.toFixed(1)} CPU µs/review${floorsSaid} (load ${loads[i]})`,
        )
      }
      throughputRows(row, mix.label, s, b, loads)
      if (f.length === 2) floorRows(row, mix.label, { serve: s, bare: b, parse: f[0]!, core: f[1]! })
    }

    if (STEPS.has(4)) await steady(real, mixes[0]!.entries, servePid)
  } finally {
    const peak = rss.stop()
    await sleep(1000)
    const after = rssOf(serve.child.pid)
    row('5', 'serve process RSS: idle / 1 s after steps 2-4', `${(idle / MiB).toFixed(1)} / ${(after / MiB).toFixed(1)} MiB`)
    row(
      '5',
      'serve process RSS: peak during steps 2-4 (sampled every 100 ms)',
      `${(peak / MiB).toFixed(1)} MiB`,
      '≤ 120 MiB',
      peak <= 120 * MiB,
    )
    if (STEPS.has(6)) await bursts(serve.child.pid!, serve.probePort, real)
    await serve.stop()
    await baseline.stop()
    for (const f of floors) await f.process.stop()
  }
}

async function steady(real: Target, entries: WireEntry[], servePid: number): Promise<void> {
  console.log(`4/7 steady 2,000 req/s (recorded mix) over 10 connections for 10 s (after 1 s warm-up; load ${load()})…`)
  const steadyCpu0 = cpuSecondsOf(servePid)
  const [p] = (await runGenerators([
    { kind: 'paced', target: real, entries, connections: 10, ratePerSec: 2000, durationMs: 10_000, warmupMs: 1000 },
  ]).results) as [PacedResult]
  // The warm-up's requests are not in `answered`: about 2,000 more were served during the second.
  const steadyCpuUs = cpuUsPerReview(steadyCpu0, cpuSecondsOf(servePid), p.answered + 2000)
  const failed = p.refused + p.unanswered + p.broken + p.timeouts + p.wrong
  if (failed > 0) throw new Error(`failures at the steady rate: ${JSON.stringify(p)}`)
  row('4', 'steady: achieved rate, answers', `${Math.round(p.rate)} req/s, ${p.answered} answered, all checked (load ${load()})`)
  row('4', 'steady: server CPU per review (warm-up included)', `${steadyCpuUs.toFixed(1)} µs`)
  row('4', 'steady: latency p50 / p99.9 / max (hrtime)', `${ms(p.latencyMs.p50)} / ${ms(p.latencyMs.p999)} / ${ms(p.latencyMs.max)}`)
  row('4', 'steady: latency p99 (hrtime, write to last byte)', ms(p.latencyMs.p99), '≤ 2 ms', p.latencyMs.p99 <= 2)
  row('4', 'steady: p99 from the scheduled send (timer slop included)', ms(p.fromScheduleMs!.p99))
}

async function bursts(pid: number, probePort: number, target: Target): Promise<void> {
  const limit = memoryLimitBytes()
  console.log(`6/7 memory after bursts: a 5 MiB string, an 8 MiB body, then 40,000 ordinary reviews (load ${load()})…`)
  const r = await burstsThenOrdinary(target, pid, probePort)
  row('6', 'before the bursts', describeMemory(r.before))
  row('6', `after the 5 MiB review (HTTP ${r.bigStatus[0]}) and the 8 MiB body (HTTP ${r.bigStatus[1]})`, describeMemory(r.afterBig))
  row('6', `after ${r.ordinary.toLocaleString('en')} ordinary reviews, 1 s later`, describeMemory(r.after))
  row(
    '6',
    `RSS peak through the sequence / after it (load ${load()})`,
    `${(r.peak / MiB).toFixed(1)} / ${(r.after.rss / MiB).toFixed(1)} MiB`,
    `≤ ${((0.75 * limit) / MiB).toFixed(0)} MiB (75 % of ${(limit / MiB).toFixed(0)} Mi)`,
    r.peak <= 0.75 * limit && r.after.rss <= 0.75 * limit,
  )
}

async function startToReady(root: string): Promise<void> {
  console.log('5/7 `node dist/cli/main.js serve --dev-certs`: spawn to /readyz 200, 3 cold starts…')
  const times: number[] = []
  const logged: number[] = []
  for (let i = 0; i < 3; i++) {
    const p = await spawnServe(root, `ready-${i}`)
    times.push(p.readyMs)
    if (p.loggedReadyMs !== undefined) logged.push(p.loggedReadyMs)
    await p.stop()
  }
  const median = [...times].sort((a, b) => a - b)[1]!
  row(
    '5',
    'start to ready: spawn → /readyz 200, dev certs generated (median of 3)',
    `${Math.round(median)} ms (runs: ${times.map(Math.round).join(', ')}; process logged ${logged.join(', ')} ms)`,
    '≤ 1,000 ms',
    median <= 1000,
  )
}

function print(machine: string, loadAtStart: string): void {
  const lines = [
    `Machine: ${machine}. Load average at start ${loadAtStart}, at end ${load()}.`,
    'Load generators run in a child process; on 2 cores they share the CPU with the server, so absolute',
    'throughput understates the server: the ratio (2/3) and the steady-rate latency (4) are the meaningful figures.',
    '',
    '| # | measure | value | target | result |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.n} | ${r.what} | ${r.value} | ${r.target} | ${r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS'} |`),
  ]
  console.log(`\n${lines.join('\n')}`)
  const missed = rows.filter((r) => r.pass === false).length
  console.log(missed === 0 ? '\nbench: every target met' : `\nbench: ${missed} target(s) missed`)
}

await main()
