// The part of autocannon's programmatic API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
  }
  interface Options {
    url: string
    connections?: number
    amount?: number
    duration?: number
    overallRate?: number
    pipelining?: number
    timeout?: number
    requests?: Request[]
    tlsOptions?: Record<string, unknown>
    servername?: string
  }
  interface Histogram {
    average: number
    mean: number
    max: number
    p50: number
    p90: number
    p99: number
    p99_9: number
    total: number
  }
  interface Result {
    requests: Histogram
    latency: Histogram
    non2xx: number
    errors: number
    timeouts: number
    duration: number
  }
  interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void
  }
  function autocannon(options: Options): Instance
  export default autocannon
}
