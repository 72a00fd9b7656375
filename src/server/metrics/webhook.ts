// The webhook instruments, named as controller-runtime names them so existing dashboards work:
// requests by code, latency, in flight, and our verdicts. Label sets are curried once per webhook
// at registration, never per request.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** 0.5 ms to 10 s: a review answers in well under a millisecond, the apiserver gives up at 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export type Decision = 'allowed' | 'denied' | 'errored'

/** One webhook's instruments, bound to its path. */
export interface WebhookMetrics {
  requestStarted(): void
  requestEnded(): void
  /** A finished HTTP exchange: its status code and how long it took. */
  observe(code: number, seconds: number): void
  decision(operation: string, subresource: string, decision: Decision, dryRun: boolean): void
}

/** The four webhook metrics, registered once; bind() gives one webhook path its children. */
export class WebhookInstruments {
  private readonly requests: Counter<'webhook' | 'code'>
  private readonly latency: Histogram<'webhook'>
  private readonly inFlight: Gauge<'webhook'>
  private readonly decisions: Counter<'webhook' | 'operation' | 'subresource' | 'decision' | 'dry_run'>

  constructor(registers: Registry[]) {
    this.requests = new Counter({
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'],
      registers,
    })
    this.latency = new Histogram({
      name: 'controller_runtime_webhook_latency_seconds',
      help: 'Histogram of the latency of processing admission requests.',
      labelNames: ['webhook'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    })
    this.inFlight = new Gauge({
      name: 'controller_runtime_webhook_requests_in_flight',
      help: 'Current number of admission requests being served.',
      labelNames: ['webhook'],
      registers,
    })
    this.decisions = new Counter({
      name: 'wfe_admission_decisions_total',
      help: 'Admission verdicts by webhook, operation, subresource, decision and dry run.',
      labelNames: ['webhook', 'operation', 'subresource', 'decision', 'dry_run'],
      registers,
    })
  }

  bind(path: string): WebhookMetrics {
    return bindWebhook(path, this.requests, this.latency, this.inFlight, this.decisions)
  }
}

function bindWebhook(
  path: string,
  requests: Counter<'webhook' | 'code'>,
  latency: Histogram<'webhook'>,
  inFlight: Gauge<'webhook'>,
  decisions: Counter<'webhook' | 'operation' | 'subresource' | 'decision' | 'dry_run'>,
): WebhookMetrics {
  const byCode = new Map<number, Counter.Internal>()
  const counterFor = (code: number): Counter.Internal => {
    let c = byCode.get(code)
    if (c === undefined) byCode.set(code, (c = requests.labels(path, String(code))))
    return c
  }
  // controller-runtime pre-creates 200 and 500 so an error rate can be computed from the start.
  const ok = counterFor(200)
  ok.inc(0)
  counterFor(500).inc(0)
  const timer = latency.labels(path)
  const gauge = inFlight.labels(path)
  gauge.set(0)
  // Nested lookups by label value: no key string is built per request.
  const byDecision = new Map<string, Map<string, Record<Decision, [Counter.Internal?, Counter.Internal?]>>>()
  const decisionFor = (operation: string, subresource: string, decision: Decision, dryRun: boolean): Counter.Internal => {
    let bySub = byDecision.get(operation)
    if (bySub === undefined)
      byDecision.set(operation, (bySub = new Map<string, Record<Decision, [Counter.Internal?, Counter.Internal?]>>()))
    let byVerdict = bySub.get(subresource)
    if (byVerdict === undefined) bySub.set(subresource, (byVerdict = { allowed: [], denied: [], errored: [] }))
    const slot = byVerdict[decision]
    const i = dryRun ? 1 : 0
    // Bounded: operation and subresource were checked by decodeReview/decodeRequest before we get here.
    return (slot[i] ??= decisions.labels(path, operation, subresource, decision, String(dryRun)))
  }
  for (const operation of ['CREATE', 'UPDATE']) {
    for (const subresource of operation === 'CREATE' ? [''] : ['', 'status']) {
      for (const d of ['allowed', 'denied', 'errored'] as const) decisionFor(operation, subresource, d, false).inc(0)
    }
  }
  return {
    requestStarted: () => gauge.inc(),
    requestEnded: () => gauge.dec(),
    observe(code, seconds) {
      ;(code === 200 ? ok : counterFor(code)).inc()
      timer.observe(seconds)
    },
    decision: (operation, subresource, decision, dryRun) => decisionFor(operation, subresource, decision, dryRun).inc(),
  }
}
