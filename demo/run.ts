// runDemo(): `npm run demo` and test/demo.test.ts both call this. It wires the server exactly as
// `serve` does (file certificate source on fresh dev certificates, effect runner, metrics) on free
// loopback ports, plays the scenario through the fake apiserver, checks every verdict, captures the
// audit lines from the server's own logger, and always stops the server and removes the certificates.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { compilePolicy } from '../src/policy.js'
import { DEFAULT_ADMISSION_OPTIONS } from '../src/config.js'
import { generateCertificates } from '../src/certs/generate.js'
import { createFileCertificateSource } from '../src/tls/file-source.js'
import { createEffectRunner } from '../src/effects/run.js'
import { createAuditRecorder, type AuditRecorder } from '../src/audit/recorder.js'
import { createEvidenceWriter } from '../src/audit/evidence.js'
import { createMemoryAuditApi } from './audit-api.js'
import { AUDIT_LOGGER } from '../src/effects/audit.js'
import { createMetrics } from '../src/server/metrics.js'
import { startServer, type RunningServer } from '../src/server/listen.js'
import type { PatchOperation } from '../src/admission/patch.js'
import { createFakeApiserver, type FakeApiserver, type WriteResult } from './apiserver.js'
import { loadWebhooks } from './webhooks.js'
import { scenario, type Step } from './scenario.js'
import { auditSection, chapterHeader, intro, setupLine, stepBlock, style, summary } from './transcript.js'

export interface DemoOptions {
  /** Where the transcript goes; nothing is printed without it. */
  write?: (chunk: string) => void
  /** ANSI colors (pass process.stdout.isTTY). */
  color?: boolean
  /** The server's clock; the demo's status timestamps follow it too. */
  now?: () => Date
}

export interface AuditLine {
  raw: string
  record: Record<string, unknown>
  /** The step whose request wrote it. */
  step: string
}

export interface StepOutcome {
  id: string
  chapter: number
  title: string
  expect: Step['expect']
  verdict: 'ALLOWED' | 'DENIED'
  ok: boolean
  dryRun: boolean
  result: WriteResult
  audit: AuditLine[]
  /** The part of the stored object the step shows, after it ran. */
  shown?: unknown
}

export interface DemoResult {
  ok: boolean
  failures: string[]
  steps: StepOutcome[]
  audit: AuditLine[]
  /** Every line the server logged, audit lines included. */
  logs: string[]
  port: number
  probePort: number
  /** True once the server has shut down (its ports are closed). */
  stopped: boolean
}

function pick(object: unknown, path: string): unknown {
  let v: unknown = object
  for (const key of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined
  return v
}

/** Attribution times are the clock's at each request, so a dry run and the real write may differ there only. */
export function withoutTimes(ops: readonly PatchOperation[]): unknown[] {
  return ops.map((op) => (/(clearedAt|-at)$/.test(op.path) && 'value' in op ? { ...op, value: '<time>' } : op))
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const now = options.now ?? (() => new Date())
  const write = options.write ?? (() => {})
  const s = style(options.color === true)
  const logs: string[] = []
  const logger = pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, { write: (line: string) => void logs.push(line) })
  const certDir = await mkdtemp(join(tmpdir(), 'wfe-demo-'))
  const result: DemoResult = { ok: false, failures: [], steps: [], audit: [], logs, port: 0, probePort: 0, stopped: false }
  let server: RunningServer | undefined
  let api: FakeApiserver | undefined
  // The demo's audit recorder: the fake apiserver's stored objects feed the same recorder the
  // server's shared watch feeds, with its markers and Events kept in memory. It is the leader at once,
  // and admission evidence is written before the commit is shown to it, so it waits for none.
  const auditApi = createMemoryAuditApi()
  const sink = createAuditRecorder({
    logger,
    api: auditApi,
    instance: 'wfe-admission-demo',
    admissionGraceMs: 0,
    now: () => now().getTime(),
  })
  sink.setLeader(true)
  const runner = createEffectRunner({ logger, evidence: createEvidenceWriter({ api: auditApi, logger, instance: 'wfe-admission-demo' }) })
  try {
    await generateCertificates({ outDir: certDir, days: 1 })
    const metrics = createMetrics()
    server = await startServer({
      policy: compilePolicy({ ...DEFAULT_ADMISSION_OPTIONS, now }),
      logger,
      source: createFileCertificateSource({ certDir, logger, hooks: metrics.tlsHooks }),
      metrics,
      runEffects: runner,
      host: '127.0.0.1',
      port: 0,
      probePort: 0,
      // Nothing routes traffic here but the demo itself: no endpoints to drain.
      drainDelayMs: 0,
      shutdownTimeoutMs: 5_000,
    })
    result.port = server.port
    result.probePort = server.probePort
    api = createFakeApiserver({ port: server.port, ca: await readFile(join(certDir, 'ca.crt'), 'utf8'), webhooks: loadWebhooks(), now })
    write(intro(s, { port: server.port, probePort: server.probePort, certDir }))
    await play(api, sink, runner, now, s, write, result)
  } catch (err) {
    result.failures.push(`the demo stopped: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    api?.close()
    await server?.shutdown('demo over')
    await runner.settled()
    sink.stop()
    result.stopped = server !== undefined
    await rm(certDir, { recursive: true, force: true })
  }
  write(auditSection(s, result.audit))
  result.failures.push(...checkDryRuns(result.steps))
  if (result.failures.length > 0) write(serverProblems(logs))
  result.ok = result.failures.length === 0 && result.stopped
  write(summary(s, result.failures, result.stopped))
  return result
}

async function play(
  api: FakeApiserver,
  sink: AuditRecorder,
  runner: { settled(): Promise<void> },
  now: () => Date,
  s: ReturnType<typeof style>,
  write: (c: string) => void,
  result: DemoResult,
): Promise<void> {
  let cursor = 0
  for (const chapter of scenario(now)) {
    write(chapterHeader(s, chapter))
    for (const step of chapter.steps) {
      const outcome = await api.apply({ user: step.user, write: step.write, ...(step.dryRun === true ? { dryRun: true } : {}) })
      // What the server's watch would be told once the commit lands: the stored object.
      const committed =
        step.write.kind === 'create'
          ? api.get(step.write.object.metadata.namespace ?? '', step.write.object.metadata.name ?? '')
          : api.get(step.write.namespace, step.write.name)
      await runner.settled()
      if (outcome.allowed && step.dryRun !== true && committed !== undefined) sink.upsert(committed)
      await sink.settled()
      const fresh = result.logs.slice(cursor)
      cursor = result.logs.length
      const audit = fresh
        .map((raw) => ({ raw: raw.trimEnd(), record: JSON.parse(raw) as Record<string, unknown>, step: step.id }))
        .filter((l) => l.record['logger'] === AUDIT_LOGGER)
      const verdict = outcome.allowed ? 'ALLOWED' : 'DENIED'
      const w = step.write
      const stored =
        w.kind === 'create' ? api.get(w.object.metadata.namespace ?? '', w.object.metadata.name ?? '') : api.get(w.namespace, w.name)
      const shown = step.show === undefined ? undefined : pick(stored, step.show)
      const ok = verdict === step.expect
      if (!ok)
        result.failures.push(
          `step ${step.id} (${step.title}): expected ${step.expect}, got ${verdict}${outcome.message === undefined ? '' : `: ${outcome.message}`}`,
        )
      result.steps.push({
        id: step.id,
        chapter: chapter.number,
        title: step.title,
        expect: step.expect,
        verdict,
        ok,
        dryRun: step.dryRun === true,
        result: outcome,
        audit,
        ...(shown === undefined ? {} : { shown }),
      })
      result.audit.push(...audit)
      write(
        step.setup === true
          ? setupLine(s, step, outcome, ok)
          : stepBlock(s, step, outcome, {
              ok,
              shown,
              auditLines: audit.length,
              ...(step.id === String(chapter.number) ? {} : { label: `${step.id}. ${step.title}` }),
            }),
      )
    }
  }
}

/** A dry run writes no audit line and gets the verdict and patch of the real write that follows it. */
function checkDryRuns(steps: readonly StepOutcome[]): string[] {
  const failures: string[] = []
  steps.forEach((dry, i) => {
    if (!dry.dryRun) return
    if (dry.audit.length > 0) failures.push(`step ${dry.id}: a dry run wrote ${dry.audit.length} audit line(s)`)
    const real = steps[i + 1]
    if (real === undefined || real.dryRun) return
    if (real.verdict !== dry.verdict) failures.push(`step ${dry.id}: dry run ${dry.verdict}, real write ${real.verdict}`)
    if (JSON.stringify(withoutTimes(real.result.patch)) !== JSON.stringify(withoutTimes(dry.result.patch)))
      failures.push(`step ${dry.id}: the dry run's patch differs from the real write's`)
  })
  return failures
}

/** Only when something went wrong: the server's own warnings and errors, to say why. */
function serverProblems(logs: readonly string[]): string {
  const bad = logs.filter((l) => {
    try {
      return Number((JSON.parse(l) as { level?: number }).level) >= 40
    } catch {
      return true
    }
  })
  return bad.length === 0 ? '' : `\nserver warnings and errors:\n${bad.map((l) => `  ${l.trimEnd()}`).join('\n')}\n`
}
