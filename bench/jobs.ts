// The jobs a generator process runs and what it reports back; shared by bench/fork.ts (parent)
// and bench/generator.ts (child).
import type { WireEntry } from './check.js'

export interface Target {
  port: number
  /** The CA the serving certificate chains to; connections verify against it. */
  ca: string
}

/** autocannon at full speed; latency is autocannon's (whole milliseconds). */
export interface AutocannonJob {
  kind: 'autocannon'
  target: Target
  entries: WireEntry[]
  connections: number
  amount?: number
  durationS?: number
}

/**
 * Our own HTTP/1.1-over-TLS client: keep-alive that honours Connection: close, an optional steady
 * rate, hrtime latencies (sub-millisecond), and failures sorted by where they happened.
 */
export interface PacedJob {
  kind: 'paced'
  target: Target
  entries: WireEntry[]
  connections: number
  /** Total requests per second over all connections; absent = as fast as each connection can. */
  ratePerSec?: number
  durationMs: number
  /** Not measured: lets the server warm up first. */
  warmupMs?: number
  /** A new TLS connection for every request (handshakes straddle a certificate swap). */
  freshConnections?: boolean
}

export type Job = AutocannonJob | PacedJob

export interface Percentiles {
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
}

export interface AutocannonResult {
  kind: 'autocannon'
  requests: number
  non2xx: number
  errors: number
  timeouts: number
  rps: number
  /** autocannon's histogram, ms. */
  latencyMs: Percentiles
  checked: number
  wrong: number
  wrongExamples: string[]
  durationS: number
}

/** One autocannon round with the server process's CPU µs per answered review. */
export type Measured = AutocannonResult & { cpuUs: number }

export interface PacedResult {
  kind: 'paced'
  /** Requests with a complete answer. */
  answered: number
  wrong: number
  wrongExamples: string[]
  /** A new connection was refused or its handshake failed: nothing was sent. */
  refused: number
  /** Sent on a reused keep-alive connection the server closed before reading it; resent on a new one (as Go's client does). */
  resent: number
  /** Sent on a new connection that closed without a byte of answer. */
  unanswered: number
  /** Part of an answer, then the connection closed. */
  broken: number
  timeouts: number
  /** From writing the request to the last byte of the answer, ms (hrtime). */
  latencyMs: Percentiles
  /** From the request's scheduled time (paced runs): includes timer slop and any queueing. */
  fromScheduleMs?: Percentiles
  rate: number
  durationMs: number
}

export type JobResult = AutocannonResult | PacedResult

export function percentiles(sortedAscending: Float64Array): Percentiles {
  const at = (q: number): number =>
    sortedAscending.length === 0 ? NaN : sortedAscending[Math.min(sortedAscending.length - 1, Math.floor(q * sortedAscending.length))]!
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: at(1) }
}
