// Prometheus metrics on a Registry of our own (never prom-client's global one, so two servers in one
// process, as in tests, never collide). Each concern's instruments are in metrics/ (webhook, rules,
// tls, body budget, audit, blocks); this composes them in a fixed registration order (the order of /metrics).
import type { FastifyPluginCallback } from 'fastify'
import { Registry, collectDefaultMetrics } from 'prom-client'
import type { TlsReloadHooks } from '../tls/source.js'
import type { EffectHooks } from '../effects/contract.js'
import type { Severity } from '../admission/rule-contract.js'
import { WebhookInstruments, type WebhookMetrics } from './metrics/webhook.js'
import { RuleInstruments } from './metrics/rules.js'
import { TlsInstruments } from './metrics/tls.js'
import { AuditInstruments, type RecorderMetricsHooks } from './metrics/audit.js'
import { BlockInstruments, type BlockMetricsSource } from './metrics/blocks.js'
import { BodyBudgetInstruments, type BodyBudgetSource } from './metrics/body-budget.js'

export { LATENCY_BUCKETS, type Decision, type WebhookMetrics } from './metrics/webhook.js'
export type { RecorderMetricsHooks } from './metrics/audit.js'
export type { BlockMetricsSource } from './metrics/blocks.js'
export type { BodyBudgetSource } from './metrics/body-budget.js'

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
  /** Where the review-body budget gauges read bytes in flight and reviews waiting, at scrape. */
  trackBodyBudget(budget: BodyBudgetSource): void
  /** Where the target-block gauges read the block index and the watch at scrape. */
  trackBlocks(source: BlockMetricsSource): void
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop, GC); on by default. */
  defaultMetrics?: boolean
}

export function createMetrics(options: MetricsOptions = {}): ServerMetrics {
  const registry = new Registry()
  const registers = [registry]
  const webhooks = new WebhookInstruments(registers)
  const rules = new RuleInstruments(registers)
  const tls = new TlsInstruments(registers)
  const bodyBudget = new BodyBudgetInstruments(registers)
  const audit = new AuditInstruments(registers)
  const blocks = new BlockInstruments(registers)
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry })

  return {
    registry,
    webhook: (path) => webhooks.bind(path),
    ruleViolation: (rule, severity) => {
      rules.counter(rule, severity).inc()
      blocks.violation(rule, severity)
    },
    knownRules(list) {
      for (const r of list) rules.counter(r.id, r.severity ?? 'deny').inc(0)
    },
    tlsHooks: tls.hooks,
    effectHooks: audit.effectHooks,
    recorderHooks: audit.recorderHooks,
    trackCertificate: (notAfter) => tls.track(notAfter),
    trackBodyBudget: (budget) => bodyBudget.track(budget),
    trackBlocks: (source) => blocks.track(source),
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
