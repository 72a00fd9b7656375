// The apiserver's own view of each webhook call: apiserver_admission_webhook_admission_duration_seconds
// from its /metrics, a Prometheus histogram per webhook name (summed over operation, rejected and
// type), differenced between two scrapes, with the p99 estimated as histogram_quantile does
// (linear inside the bucket that holds it) and the exact share of calls within 5 ms (a bucket edge).

export type Buckets = Map<number, number>

const METRIC = 'apiserver_admission_webhook_admission_duration_seconds'

/** Cumulative counts per `le`, per value of `label` (summed over the other labels), of one histogram. */
export function webhookHistograms(text: string, metric = METRIC, label = 'name'): Map<string, Buckets> {
  const out = new Map<string, Buckets>()
  const find = new RegExp(`[{,]${label}="([^"]*)"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}_bucket{`)) continue
    const name = find.exec(line)?.[1]
    const le = /[{,]le="([^"]*)"/.exec(line)?.[1]
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (name === undefined || le === undefined) continue
    const bound = le === '+Inf' ? Infinity : Number(le)
    let b = out.get(name)
    if (b === undefined) out.set(name, (b = new Map<number, number>()))
    b.set(bound, (b.get(bound) ?? 0) + value)
  }
  return out
}

export function difference(after: Map<string, Buckets>, before: Map<string, Buckets>): Map<string, Buckets> {
  const out = new Map<string, Buckets>()
  for (const [name, b] of after) {
    const prior = before.get(name)
    out.set(name, new Map([...b].map(([le, n]) => [le, n - (prior?.get(le) ?? 0)])))
  }
  return out
}

export interface Summary {
  calls: number
  p50: number
  p99: number
  /** Share of calls that took at most `edge` seconds, exact when `edge` is a bucket bound. */
  within: number
}

export function summarise(b: Buckets, edge = 0.005): Summary {
  const bounds = [...b.keys()].sort((x, y) => x - y)
  const total = b.get(Infinity) ?? 0
  const q = (phi: number): number => {
    const rank = phi * total
    let prevBound = 0
    let prevCount = 0
    for (const le of bounds) {
      const c = b.get(le)!
      if (c >= rank) {
        if (le === Infinity) return prevBound
        return prevBound + ((le - prevBound) * (rank - prevCount)) / Math.max(1, c - prevCount)
      }
      prevBound = le
      prevCount = c
    }
    return NaN
  }
  return { calls: total, p50: q(0.5), p99: q(0.99), within: total === 0 ? NaN : (b.get(edge) ?? NaN) / total }
}
