// What the server adds around admit() per review, each part alone: the verdict log line (pino,
// synchronous writes to a file as with stdout redirected by a container runtime), the metrics
// (in-flight gauge, decision and rule-violation counters, status-code counter and latency
// histogram), and the 'close' listener the in-flight gauge hangs on each response.
import { EventEmitter } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rmSync } from 'node:fs'
import pino from 'pino'
import { admit, type AdmitResult } from '../src/admission/admit.js'
import { compilePolicy } from '../src/policy.js'
import { DEFAULT_ADMISSION_OPTIONS } from '../src/config.js'
import { createMetrics } from '../src/server/metrics.js'
import { decisionOf, verdictLog, VALIDATE_PATH } from '../src/server/admission.js'
import type { AdmissionRequest } from '../src/admission/types.js'
import { requestMix } from './mix.js'

export interface EdgeResult {
  part: string
  us: number
}

/** Median over batches of CPU µs per call: CPU time, not wall time, so other processes on a shared machine do not count. */
function timeUs(n: number, f: (i: number) => void): number {
  const batches: number[] = []
  for (let b = -3; b < 15; b++) {
    const t0 = process.cpuUsage()
    for (let i = 0; i < n; i++) f(i)
    const d = process.cpuUsage(t0)
    if (b >= 0) batches.push((d.user + d.system) / n)
  }
  return batches.sort((a, b) => a - b)[batches.length >> 1]!
}

export function benchEdge(): EdgeResult[] {
  const policy = compilePolicy(DEFAULT_ADMISSION_OPTIONS)
  const mix = requestMix()
  const pick = (name: string): { req: AdmissionRequest; result: AdmitResult } => {
    const e = mix.find((m) => m.name === name)!
    const req = e.review.request!
    return { req, result: admit(req, policy, e.path.startsWith('/mutate') ? 'mutate' : 'validate') }
  }
  const denial = pick('update-spec-change')
  const mutation = pick('create-without-timeout')
  const routine = pick('status-routine')
  const file = join(tmpdir(), `wfe-edge-${process.pid}.log`)
  const logger = pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: file, sync: true }))
  const toFile = verdictLog(logger, 'validate')
  const out: EdgeResult[] = []
  try {
    for (const [name, c] of [
      ['denial', denial],
      ['mutation', mutation],
      ['allowed unchanged (debug: not written)', routine],
    ] as const) {
      const decision = decisionOf(c.result)
      out.push({
        part: `verdict log line, ${name}`,
        us: timeUs(2000, () => toFile(c.req, c.result, decision, 0.42)),
      })
    }
    const quiet = verdictLog(pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, { write: () => {} }), 'validate')
    out.push({
      part: 'verdict log line, denial, serialisation only (no write)',
      us: timeUs(2000, () => quiet(denial.req, denial.result, decisionOf(denial.result), 0.42)),
    })
    const buffered = pino(
      { level: 'info', timestamp: pino.stdTimeFunctions.isoTime },
      pino.destination({ dest: file, sync: false, minLength: 4096 }),
    )
    const toBuffer = verdictLog(buffered, 'validate')
    out.push({
      part: 'verdict log line, denial, buffered writes (4 KiB)',
      us: timeUs(2000, () => toBuffer(denial.req, denial.result, decisionOf(denial.result), 0.42)),
    })
    buffered.flush()
  } finally {
    rmSync(file, { force: true })
  }
  const metrics = createMetrics({ defaultMetrics: false })
  metrics.knownRules(policy.rules.map((r) => ({ id: r.id, severity: r.kind === 'validate' ? r.severity : 'deny' })))
  const m = metrics.webhook(VALIDATE_PATH)
  out.push({
    part: 'metrics: in flight, decision, status code, latency (allowed)',
    us: timeUs(20000, () => {
      m.requestStarted()
      m.decision('UPDATE', 'status', 'allowed', false)
      m.observe(200, 0.0004)
      m.requestEnded()
    }),
  })
  out.push({ part: 'metrics: one rule violation', us: timeUs(20000, () => metrics.ruleViolation('spec-immutable', 'deny')) })
  out.push({
    part: "'close' listener per response (once + emit)",
    us: timeUs(20000, () => {
      const e = new EventEmitter()
      e.once('close', () => {})
      e.emit('close')
    }),
  })
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(benchEdge().map((r) => ({ ...r, us: r.us.toFixed(3) })))
}
