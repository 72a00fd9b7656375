// Two ways to drive lifecycles (lifecycle.ts) through the apiserver: as fast as W concurrent
// workers can (throughput), and at a steady rate of writes per second, open loop (latency: each
// write is sent at its scheduled time if some lifecycle is ready for it, a new one otherwise).
import { setTimeout as sleep } from 'node:timers/promises'
import type { KubeClient } from './client.js'
import { Lifecycle, type Timed } from './lifecycle.js'

export interface LoadResult {
  writes: number
  seconds: number
  /** Per write, ms, sorted ascending. */
  latencies: Float64Array
  /** Per write from its scheduled time (paced runs only), sorted ascending. */
  fromSchedule?: Float64Array
}

let serial = 0
const lifecycle = (client: KubeClient, ns: string, tag: string): Lifecycle => new Lifecycle(client, ns, `bench-${tag}-${serial++}`)

const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort()

/** `workers` lifecycles at a time, each write as soon as the previous one answered, for `durationMs`. */
export async function closedLoop(client: KubeClient, ns: string, tag: string, workers: number, durationMs: number): Promise<LoadResult> {
  const times: number[] = []
  const t0 = performance.now()
  const end = t0 + durationMs
  const worker = async (): Promise<void> => {
    // A lifecycle once begun is finished, so no object is left half-way; only writes inside the window count.
    while (performance.now() < end) {
      const l = lifecycle(client, ns, tag)
      while (!l.done) {
        const r: Timed = await l.next()
        if (performance.now() <= end) times.push(r.ms)
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  return { writes: times.length, seconds: durationMs / 1000, latencies: sorted(times) }
}

/** `rate` writes per second for `durationMs`, spread over as many lifecycles as it takes. */
export async function paced(client: KubeClient, ns: string, tag: string, rate: number, durationMs: number): Promise<LoadResult> {
  const times: number[] = []
  const late: number[] = []
  const ready: Lifecycle[] = []
  const running = new Set<Promise<void>>()
  const interval = 1000 / rate
  const t0 = performance.now()
  const n = Math.floor(durationMs / interval)
  for (let k = 0; k < n; k++) {
    const at = t0 + k * interval
    const wait = at - performance.now()
    if (wait > 1) await sleep(wait)
    const l = ready.pop() ?? lifecycle(client, ns, tag)
    const p = l.next().then((r) => {
      times.push(r.ms)
      late.push(performance.now() - at)
      if (!l.done) ready.push(l)
    })
    const tracked = p.finally(() => running.delete(tracked))
    running.add(tracked)
  }
  await Promise.all(running)
  // Finish the lifecycles left open, untimed, so the next round starts from an empty namespace.
  for (const l of ready) while (!l.done) await l.next()
  return { writes: times.length, seconds: (performance.now() - t0) / 1000, latencies: sorted(times), fromSchedule: sorted(late) }
}

export function quantile(sortedAscending: Float64Array, q: number): number {
  if (sortedAscending.length === 0) return NaN
  return sortedAscending[Math.min(sortedAscending.length - 1, Math.floor(q * sortedAscending.length))]!
}
