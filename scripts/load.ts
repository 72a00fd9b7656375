// `npm run load`: the real server (startServer, file certificate source, dev certificates in a temp
// directory) on 127.0.0.1 under the realistic mix from a separate generator process, in three phases:
//   1. autocannon, 50 connections, 24,000 requests: no non-2xx, no errors, every answer checked;
//   2. the same load while the serving pair is replaced twice (an atomic Secret-style swap, then an
//      in-place overwrite), with a new TLS connection per request on the side so handshakes straddle
//      each swap: no failures, and new handshakes get the new certificate;
//   3. load running when shutdown() begins (what SIGTERM does): every request the server started to
//      read is answered; only new connections after the listener closed are refused.
// RSS of this (the server's) process: before, peak (every 100 ms) and after, reported only (the
// target is `npm run bench`'s, on the built process). Exits 1 if a check fails; bounded to < 2 min.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { pino } from 'pino'
import { startServer, type RunningServer } from '../src/server/listen.js'
import { compilePolicy } from '../src/policy.js'
import { DEFAULT_ADMISSION_OPTIONS } from '../src/config.js'
import { createFileCertificateSource } from '../src/tls/file-source.js'
import { requestMix } from '../bench/mix.js'
import { toWire } from '../bench/check.js'
import { runGenerators } from '../bench/fork.js'
import type { AutocannonResult, PacedResult, Target } from '../bench/jobs.js'
import { createCertVolume, fingerprint, overwriteServingPair, swapServingPair, type CertVolume } from '../bench/cert-volume.js'
import { MiB, rssOf, sampleRss } from '../bench/rss.js'

const WATCHDOG_MS = 115_000
const watchdog = setTimeout(() => {
  console.error(`load: not finished after ${WATCHDOG_MS / 1000} s; giving up`)
  process.exit(1)
}, WATCHDOG_MS)
watchdog.unref()

interface Check {
  phase: string
  what: string
  value: string
  ok: boolean
}
const checks: Check[] = []
function check(phase: string, what: string, value: number | string, ok: boolean): void {
  checks.push({ phase, what, value: String(value), ok })
}
const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`

/** Server-side: every request node parsed the headers of, and whether its answer was sent in full. */
function countRequests(server: RunningServer) {
  const c = { started: 0, answered: 0, dropped: 0, startedInShutdown: 0, shuttingDown: false }
  server.app.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    c.started++
    if (c.shuttingDown) c.startedInShutdown++
    res.once('close', () => {
      if (res.writableFinished) c.answered++
      else c.dropped++
    })
  })
  return c
}

function servedFingerprint(target: Target): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate().fingerprint256)
      s.end()
    })
    s.once('error', reject)
  })
}

async function waitForReload(reloads: { success: number }, before: number, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms
  while (reloads.success <= before && Date.now() < until) await sleep(20)
  return reloads.success > before
}

function autocannonChecks(phase: string, r: AutocannonResult, minRequests: number): void {
  check(phase, 'requests', r.requests, r.requests >= minRequests)
  check(phase, 'non-2xx', r.non2xx, r.non2xx === 0)
  check(phase, 'errors + timeouts', r.errors + r.timeouts, r.errors + r.timeouts === 0)
  check(
    phase,
    'answers checked / wrong',
    `${r.checked} / ${r.wrong}${r.wrongExamples.length > 0 ? ` (${r.wrongExamples.join('; ')})` : ''}`,
    r.wrong === 0 && r.checked === r.requests,
  )
  check(phase, 'throughput, latency p50/p99', `${Math.round(r.rps)} req/s, ${r.latencyMs.p50}/${r.latencyMs.p99} ms`, true)
}

async function rotate(
  phase: string,
  vol: CertVolume,
  target: Target,
  reloads: { success: number },
  how: 'swap' | 'overwrite',
): Promise<void> {
  const before = reloads.success
  const pair = how === 'swap' ? await swapServingPair(vol) : await overwriteServingPair(vol)
  const reloaded = await waitForReload(reloads, before)
  const served = await servedFingerprint(target)
  check(
    phase,
    `${how === 'swap' ? 'atomic ..data swap' : 'in-place overwrite'}: new pair served`,
    reloaded ? served.slice(0, 23) : 'no reload',
    reloaded && served === fingerprint(pair.cert),
  )
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'wfe-load-'))
  try {
    await run(root)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

async function run(root: string): Promise<void> {
  const started = performance.now()
  const vol = await createCertVolume(join(root, 'certs'))
  const reloads = { success: 0, error: 0 }
  const tlsWarnings: string[] = []
  const source = createFileCertificateSource({
    certDir: vol.dir,
    pollIntervalMs: 1000,
    logger: {
      info: () => {},
      warn: (_o, msg) => {
        tlsWarnings.push(msg)
      },
    },
    hooks: {
      reload: (result) => {
        reloads[result]++
      },
    },
  })
  // Logging as `serve` does (info, one line per denial or mutation), into /dev/null.
  const logger = pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: '/dev/null', sync: true }))
  const rssBefore = rssOf()
  const server = await startServer({
    policy: compilePolicy(DEFAULT_ADMISSION_OPTIONS),
    logger,
    source,
    host: '127.0.0.1',
    port: 0,
    probeHost: '127.0.0.1',
    probePort: 0,
    drainDelayMs: 1000,
    shutdownTimeoutMs: 10_000,
  })
  const served = countRequests(server)
  const target: Target = { port: server.port, ca: vol.ca.cert }
  const entries = toWire(requestMix())
  console.log(
    `load: server on 127.0.0.1:${server.port}; generator in a child process; ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )

  // Phase 1: steady full-speed load.
  let sampler = sampleRss()
  const [p1] = await runGenerators([{ kind: 'autocannon', target, entries, connections: 50, amount: 24_000 }]).results
  const peak1 = sampler.stop()
  autocannonChecks('1 load', p1 as AutocannonResult, 20_000)
  await sleep(300)
  const rssAfter1 = rssOf()

  // Phase 2: the same load while the certificate files are replaced twice.
  sampler = sampleRss()
  const gen2 = runGenerators([
    { kind: 'autocannon', target, entries, connections: 50, durationS: 9 },
    { kind: 'paced', target, entries, connections: 2, ratePerSec: 100, durationMs: 9000, freshConnections: true },
  ])
  await gen2.started
  await sleep(3000)
  await rotate('2 cert swap', vol, target, reloads, 'swap')
  await sleep(2500)
  await rotate('2 cert swap', vol, target, reloads, 'overwrite')
  const [p2, fresh] = (await gen2.results) as [AutocannonResult, PacedResult]
  const peak2 = sampler.stop()
  autocannonChecks('2 cert swap', p2, 20_000)
  const freshFailures = fresh.refused + fresh.unanswered + fresh.broken + fresh.timeouts + fresh.wrong
  check(
    '2 cert swap',
    'new connection per request: answered / failed',
    `${fresh.answered} / ${freshFailures}`,
    fresh.answered > 0 && freshFailures === 0,
  )
  check(
    '2 cert swap',
    'reloads: success / rejected',
    `${reloads.success} / ${reloads.error}${tlsWarnings.length > 0 ? ` (${tlsWarnings[0]})` : ''}`,
    reloads.success >= 2,
  )

  // Phase 3: shutdown() (SIGTERM's path) while 50 connections send as fast as they can.
  sampler = sampleRss()
  const before = { ...served }
  const gen3 = runGenerators([{ kind: 'paced', target, entries, connections: 50, durationMs: 5000 }])
  await gen3.started
  await sleep(1500)
  served.shuttingDown = true
  const shutdownAt = performance.now()
  await server.shutdown('load test')
  const shutdownMs = performance.now() - shutdownAt
  const [p3] = (await gen3.results) as [PacedResult]
  const peak3 = sampler.stop()
  const startedInPhase = served.started - before.started
  const dropped = served.dropped - before.dropped
  check(
    '3 shutdown',
    'server: requests read / answered / dropped',
    `${startedInPhase} / ${served.answered - before.answered} / ${dropped}`,
    dropped === 0 && startedInPhase > 0,
  )
  check('3 shutdown', 'server: requests read after shutdown began (drain)', served.startedInShutdown, served.startedInShutdown > 0)
  check('3 shutdown', 'client: answered / wrong', `${p3.answered} / ${p3.wrong}`, p3.answered > 0 && p3.wrong === 0)
  check('3 shutdown', 'client: accepted but failed (partial answer, timeout)', p3.broken + p3.timeouts, p3.broken + p3.timeouts === 0)
  check('3 shutdown', 'client: sent on a new connection, closed unread', p3.unanswered, dropped === 0)
  check('3 shutdown', 'client: keep-alive closed as we wrote, resent', p3.resent, true)
  check('3 shutdown', 'client: new connections refused after close (expected)', p3.refused, true)
  check('3 shutdown', 'shutdown took (drain 1 s + close)', `${Math.round(shutdownMs)} ms`, shutdownMs < 12_000)

  const rssAfter = rssOf()
  const peak = Math.max(peak1, peak2, peak3)
  check('memory', 'RSS before / peak / after phase 1', `${mib(rssBefore)} / ${mib(peak1)} / ${mib(rssAfter1)}`, true)
  check('memory', 'RSS peak phase 2 / phase 3 / after all', `${mib(peak2)} / ${mib(peak3)} / ${mib(rssAfter)}`, true)
  // This is the tsx-run script's own process (TypeScript loader included); `npm run bench` holds the
  // 120 MiB target against the built `serve` process.
  check('memory', 'RSS peak of this process (report only)', mib(peak), true)

  const totalS = (performance.now() - started) / 1000
  check('run', 'total time', `${totalS.toFixed(1)} s`, totalS < 120)
  printTable()
}

function printTable(): void {
  const w = [12, Math.max(...checks.map((c) => c.what.length)), Math.min(60, Math.max(...checks.map((c) => c.value.length)))]
  console.log(`\n${'phase'.padEnd(w[0]!)}  ${'check'.padEnd(w[1]!)}  ${'value'.padEnd(w[2]!)}  result`)
  for (const c of checks)
    console.log(`${c.phase.padEnd(w[0]!)}  ${c.what.padEnd(w[1]!)}  ${c.value.padEnd(w[2]!)}  ${c.ok ? 'ok' : 'FAIL'}`)
  const failed = checks.filter((c) => !c.ok).length
  console.log(failed === 0 ? '\nload: all checks passed' : `\nload: ${failed} check(s) FAILED`)
  process.exitCode = failed === 0 ? 0 : 1
}

await main()
