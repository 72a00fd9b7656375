// The rows of steps 2-3: the server against the bare baseline, and where the server's CPU per review
// goes, layer by layer, from four processes measured in the same alternating rounds
// (bench/baseline.ts): bare fastify on the same TLS; + the body parsed as the server parses it,
// decoded and answered; + admit(); and the server itself. Each layer's cost is the difference of two
// lowest-round CPU figures, so it includes what the layer costs the layers around it (cold caches,
// garbage, a client woken more often), which a microbenchmark of the layer misses.
import type { AutocannonResult, Measured } from './jobs.js'
import type { RowFn } from './apiserver/report.js'

// The least disturbed round counts, for CPU as for throughput: other processes only ever add CPU time.
const lowestCpu = (xs: Measured[]): number => Math.min(...xs.map((r) => r.cpuUs))
const best = (xs: Measured[]): Measured => xs.reduce((a, x) => (x.rps > a.rps ? x : a))

export function throughputRows(row: RowFn, mix: string, s: Measured[], b: Measured[], loads: string[]): void {
  const sCpu = lowestCpu(s)
  const bCpu = lowestCpu(b)
  row(
    '2',
    `${mix}: server CPU per review at 50 connections (process CPU time / answered reviews, lowest round)`,
    `${sCpu.toFixed(1)} µs (rounds: ${s.map((r) => r.cpuUs.toFixed(1)).join(', ')})`,
  )
  row(
    '3',
    `${mix}: baseline CPU per review (lowest round)`,
    `${bCpu.toFixed(1)} µs (rounds: ${b.map((r) => r.cpuUs.toFixed(1)).join(', ')})`,
  )
  row('2/3', `${mix}: server / baseline CPU per review`, (sCpu / bCpu).toFixed(2), '≤ 2.00', sCpu / bCpu <= 2)
  const sb = best(s)
  const bb = best(b)
  const lat = (r: AutocannonResult): string => `p50 ${r.latencyMs.p50} / p99 ${r.latencyMs.p99} / p99.9 ${r.latencyMs.p999} ms`
  row(
    '2',
    `${mix}: server, 50 connections, TLS keep-alive: throughput`,
    `${Math.round(sb.rps).toLocaleString('en')} req/s (rounds: ${s.map((r) => Math.round(r.rps)).join(', ')}); every answer checked`,
  )
  row('2', `${mix}: server, 50 connections: latency (autocannon, whole ms)`, lat(sb))
  row(
    '3',
    `${mix}: baseline (bare fastify, same TLS): throughput`,
    `${Math.round(bb.rps).toLocaleString('en')} req/s (rounds: ${b.map((r) => Math.round(r.rps)).join(', ')})`,
  )
  row('3', `${mix}: baseline, 50 connections: latency`, lat(bb))
  const ratio = sb.rps / bb.rps
  row(
    '2/3',
    `${mix}: server / baseline throughput (load average per round: ${loads.join('; ')})`,
    ratio.toFixed(2),
    '≥ 0.65',
    ratio >= 0.65,
  )
}

export interface FloorRounds {
  serve: Measured[]
  bare: Measured[]
  parse: Measured[]
  core: Measured[]
}

export function floorRows(row: RowFn, mix: string, r: FloorRounds): void {
  const cpu = { bare: lowestCpu(r.bare), parse: lowestCpu(r.parse), core: lowestCpu(r.core), serve: lowestCpu(r.serve) }
  const rounds = (xs: Measured[]): string =>
    `rounds: ${xs.map((m) => m.cpuUs.toFixed(1)).join(', ')} µs; ${xs.map((m) => Math.round(m.rps)).join(', ')} req/s`
  const ratio = (xs: Measured[]): string => (best(xs).rps / best(r.bare).rps).toFixed(2)
  row(
    '3',
    `${mix}: floor "parse" (bare fastify + the body parsed int64-exact, decoded, an allowed answer encoded): CPU per review; throughput / baseline`,
    `${cpu.parse.toFixed(1)} µs; ${ratio(r.parse)} (${rounds(r.parse)})`,
  )
  row(
    '3',
    `${mix}: floor "core" (the parse floor + admit() and its answer; nothing else of the server): CPU per review; throughput / baseline`,
    `${cpu.core.toFixed(1)} µs; ${ratio(r.core)} (${rounds(r.core)}); every answer checked`,
  )
  const part = (what: string, us: number): string => `${what} ${us.toFixed(1)} µs (${Math.round((100 * us) / cpu.serve)} %)`
  row(
    '2/3',
    `${mix}: the server's CPU per review by layer (differences of the lowest rounds)`,
    [
      part('HTTPS, HTTP and JSON.parse (the baseline)', cpu.bare),
      part('int64-exact parse, decode, encode', cpu.parse - cpu.bare),
      part('admit() inside the server', cpu.core - cpu.parse),
      part('the server around admit() (routes, body budget, metrics, logs, effects)', cpu.serve - cpu.core),
    ].join('; '),
  )
}
