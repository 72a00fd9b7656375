// Prometheus metrics on a Registry of our own (never prom-client's global one, so two servers in one
// process, as in tests, never collide). Webhook names follow controller-runtime's, so existing
// dashboards work; label sets are curried once per webhook at registration, not per request.
import type { FastifyPluginCallback } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { TlsReloadHooks } from '../tls/source.js'
import type { EffectHooks } from '../effects/contract.js'
import type { Severity } from '../admission/rule-contract.js'

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

export interface ServerMetrics {
  readonly registry: Registry
  webhook(path: string): WebhookMetrics
  ruleViolation(rule: string, severity: Severity): void
  /** Series for every rule, at zero, so a dashboard shows "never violated" rather than nothing. */
  knownRules(rules: readonly { id: string; severity?: Severity }[]): void
  /** Pass to the certificate source: counts reloads. */
  readonly tlsHooks: TlsReloadHooks
  /** Pass to the effect runner: counts audit Event writes. */
  readonly effectHooks: EffectHooks
  /** Pass to the audit recorder: records by result, API failures, the Lease. */
  readonly recorderHooks: RecorderMetricsHooks
  /** Where wfe_admission_tls_cert_not_after_seconds reads the served certificate's expiry at scrape. */
  trackCertificate(notAfter: () => Date | undefined): void
  /** Where the target-block gauges read the block index and the watch at scrape. */
  trackBlocks(source: BlockMetricsSource): void
}

export interface RecorderMetricsHooks {
  record(result: 'written' | 'already' | 'tampered' | 'unadmitted'): void
  error(op: 'marker' | 'evidence' | 'event'): void
  event(result: 'success' | 'error'): void
  leader(leading: boolean): void
  lease(result: 'success' | 'error'): void
}

/** What the target-block gauges read at scrape time (the block index and the shared watch). */
export interface BlockMetricsSource {
  blockedTargets(): number
  oldestBlockMs(): number | undefined
  isSynced(): boolean
  stalenessMs(): number
}

/** Rule ids whose denials count as refusals by block or by backoff. */
const REFUSALS: Readonly<Record<string, string>> = { 'target-blocked': 'block', 'target-backoff': 'backoff' }

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop, GC); on by default. */
  defaultMetrics?: boolean
}

export function createMetrics(options: MetricsOptions = {}): ServerMetrics {
  const registry = new Registry()
  const registers = [registry]
  const requests = new Counter({
    name: 'controller_runtime_webhook_requests_total',
    help: 'Total number of admission requests by HTTP status code.',
    labelNames: ['webhook', 'code'],
    registers,
  })
  const latency = new Histogram({
    name: 'controller_runtime_webhook_latency_seconds',
    help: 'Histogram of the latency of processing admission requests.',
    labelNames: ['webhook'],
    buckets: [...LATENCY_BUCKETS],
    registers,
  })
  const inFlight = new Gauge({
    name: 'controller_runtime_webhook_requests_in_flight',
    help: 'Current number of admission requests being served.',
    labelNames: ['webhook'],
    registers,
  })
  const decisions = new Counter({
    name: 'wfe_admission_decisions_total',
    help: 'Admission verdicts by webhook, operation, subresource, decision and dry run.',
    labelNames: ['webhook', 'operation', 'subresource', 'decision', 'dry_run'],
    registers,
  })
  const violations = new Counter({
    name: 'wfe_admission_rule_violations_total',
    help: 'Rule violations by rule id and severity.',
    labelNames: ['rule', 'severity'],
    registers,
  })
  let certNotAfter: (() => Date | undefined) | undefined
  new Gauge({
    name: 'wfe_admission_tls_cert_not_after_seconds',
    help: 'Expiry of the serving certificate, in seconds since the Unix epoch.',
    registers,
    collect() {
      const d = certNotAfter?.()
      if (d !== undefined) this.set(d.getTime() / 1000)
    },
  })
  const reloads = new Counter({
    name: 'wfe_admission_tls_reloads_total',
    help: 'Serving certificate reload attempts by result.',
    labelNames: ['result'],
    registers,
  })
  const audits = new Counter({
    name: 'wfe_admission_audit_events_total',
    help: 'Audit Event writes by result.',
    labelNames: ['result'],
    registers,
  })
  const records = new Counter({
    name: 'wfe_admission_audit_records_total',
    help: 'Audit records by result: written, already (found recorded), tampered (a marker this server did not write), unadmitted (stored without admission).',
    labelNames: ['result'],
    registers,
  })
  const recorderErrors = new Counter({
    name: 'wfe_admission_audit_recorder_errors_total',
    help: 'Audit recorder API failures by what they were for (marker, evidence, event).',
    labelNames: ['op'],
    registers,
  })
  const leaseTries = new Counter({
    name: 'wfe_admission_audit_lease_tries_total',
    help: "Tries to take or renew the audit recorder's Lease, by result.",
    labelNames: ['result'],
    registers,
  })
  const leader = new Gauge({
    name: 'wfe_admission_audit_leader',
    help: '1 while this replica holds the Lease and writes the audit records.',
    registers,
  })
  leader.set(0)
  let blocks: BlockMetricsSource | undefined
  new Gauge({
    name: 'wfe_admission_blocked_targets',
    help: 'Targets with an execution failure in force and not cleared (from the block index).',
    registers,
    collect() {
      if (blocks !== undefined) this.set(blocks.blockedTargets())
    },
  })
  new Gauge({
    name: 'wfe_admission_oldest_block_age_seconds',
    help: 'Age of the oldest block in force (since its failedAt); 0 when nothing is blocked.',
    registers,
    collect() {
      const at = blocks?.oldestBlockMs()
      if (blocks !== undefined) this.set(at === undefined ? 0 : Math.max(0, (Date.now() - at) / 1000))
    },
  })
  new Gauge({
    name: 'wfe_admission_block_index_synced',
    help: '1 while the block index equals what the apiserver committed (watch connected), else 0.',
    registers,
    collect() {
      if (blocks !== undefined) this.set(blocks.isSynced() ? 1 : 0)
    },
  })
  new Gauge({
    name: 'wfe_admission_block_index_staleness_seconds',
    help: 'Seconds since the block index was last known current; 0 while synced.',
    registers,
    collect() {
      if (blocks !== undefined) this.set(blocks.stalenessMs() / 1000)
    },
  })
  const refusals = new Counter({
    name: 'wfe_admission_target_refusals_total',
    help: 'CREATEs refused because the target is blocked (cause="block") or backing off (cause="backoff"), dry runs included.',
    labelNames: ['cause'],
    registers,
  })
  const refusedBy = { block: refusals.labels('block'), backoff: refusals.labels('backoff') } as Record<string, Counter.Internal>
  for (const c of Object.values(refusedBy)) c.inc(0)
  for (const result of ['success', 'error']) {
    reloads.labels(result).inc(0)
    audits.labels(result).inc(0)
    leaseTries.labels(result).inc(0)
  }
  for (const result of ['written', 'already', 'tampered', 'unadmitted']) records.labels(result).inc(0)
  for (const op of ['marker', 'evidence', 'event']) recorderErrors.labels(op).inc(0)
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry })

  // Children bound once per rule and severity: labels() hashes its arguments on every call.
  const violationChildren = new Map<string, Partial<Record<Severity, Counter.Internal>>>()
  const violationFor = (rule: string, severity: Severity): Counter.Internal => {
    let bySeverity = violationChildren.get(rule)
    if (bySeverity === undefined) violationChildren.set(rule, (bySeverity = {}))
    return (bySeverity[severity] ??= violations.labels(rule, severity))
  }

  return {
    registry,
    webhook: (path) => bindWebhook(path, requests, latency, inFlight, decisions),
    ruleViolation: (rule, severity) => {
      violationFor(rule, severity).inc()
      const cause = REFUSALS[rule]
      if (cause !== undefined && severity === 'deny') refusedBy[cause]?.inc()
    },
    knownRules(rules) {
      for (const r of rules) violationFor(r.id, r.severity ?? 'deny').inc(0)
    },
    tlsHooks: { reload: (result) => reloads.labels(result).inc() },
    effectHooks: { event: (result) => audits.labels(result).inc() },
    recorderHooks: {
      record: (result) => records.labels(result).inc(),
      error: (op) => recorderErrors.labels(op).inc(),
      event: (result) => audits.labels(result).inc(),
      leader: (leading) => leader.set(leading ? 1 : 0),
      lease: (result) => leaseTries.labels(result).inc(),
    },
    trackCertificate(notAfter) {
      certNotAfter = notAfter
    },
    trackBlocks(source) {
      blocks = source
    },
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

/** GET /metrics in Prometheus text format; scrapes log at fatal only, so they never flood the logs. */
export const metricsRoute: FastifyPluginCallback<{ metrics: ServerMetrics }> = (app, { metrics }, done) => {
  app.get('/metrics', { logLevel: 'fatal', exposeHeadRoute: false }, async (_request, reply) => {
    const body = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).send(body)
  })
  done()
}
