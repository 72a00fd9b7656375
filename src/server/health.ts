// The probe server: plain HTTP on its own port, so the kubelet and Prometheus never need the
// webhook's certificate. /healthz says the process is up; /readyz says it should get traffic.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginCallback } from 'fastify'
import type { Logger } from 'pino'
import type { CompiledPolicy } from '../admission/rule-contract.js'
import { metricsRoute, type ServerMetrics } from './metrics.js'
import { frameworkLogger } from './framework-logger.js'

export type ReadinessCheck = { ready: true } | { ready: false; reason: string }

/**
 * Ready only when the policy is compiled, the TLS source is healthy (cert-manager's rule: an expired
 * or missing certificate takes the pod out of the Service) and no shutdown has begun.
 */
export interface Readiness {
  check(): ReadinessCheck
  setPolicy(policy: CompiledPolicy): void
  setTls(source: { healthy(): boolean }): void
  /** The block index: not ready until its first LIST is synced, so a new replica takes no CREATE it cannot judge. */
  setBlockIndex(index: { everSynced(): boolean }): void
  /** Readiness turns false at once and never back; responses then carry Connection: close. */
  beginShutdown(): void
  readonly shuttingDown: boolean
}

export function createReadiness(): Readiness {
  let policy: CompiledPolicy | undefined
  let tls: { healthy(): boolean } | undefined
  let shuttingDown = false
  let blocks: { everSynced(): boolean } | undefined
  return {
    check() {
      if (shuttingDown) return { ready: false, reason: 'shutting down' }
      if (policy === undefined) return { ready: false, reason: 'policy not compiled yet' }
      if (tls === undefined) return { ready: false, reason: 'TLS not loaded yet' }
      if (!tls.healthy()) return { ready: false, reason: 'TLS certificate not healthy (missing, unreadable or expired)' }
      // Only the first sync: a watch that breaks later keeps the last view (docs/blocks.md), and taking
      // every replica out of the Service at once would fail every request instead.
      if (blocks !== undefined && !blocks.everSynced())
        return { ready: false, reason: 'WorkflowExecution index not synced yet (first LIST)' }
      return { ready: true }
    },
    setPolicy(p) {
      policy = p
    },
    setTls(source) {
      tls = source
    },
    setBlockIndex(index) {
      blocks = index
    },
    beginShutdown() {
      shuttingDown = true
    },
    get shuttingDown() {
      return shuttingDown
    },
  }
}

export const healthRoutes: FastifyPluginCallback<{ readiness: Readiness }> = (app, { readiness }, done) => {
  app.get('/healthz', { logLevel: 'fatal' }, (_request, reply) => {
    reply.type('text/plain; charset=utf-8').send('ok\n')
  })
  app.get('/readyz', { logLevel: 'fatal' }, (_request, reply) => {
    const r = readiness.check()
    if (r.ready) reply.type('text/plain; charset=utf-8').send('ok\n')
    else reply.code(503).type('text/plain; charset=utf-8').send(`not ready: ${r.reason}\n`)
  })
  done()
}

export interface ProbeAppOptions {
  readiness: Readiness
  metrics: ServerMetrics
  logger: Logger
}

/** /healthz, /readyz and /metrics on one plain-HTTP instance, not yet listening. */
export function buildProbeApp(options: ProbeAppOptions): FastifyInstance {
  // The assertion picks fastify's overload for a base logger (tsc needs it; typescript-eslint thinks not).
  const app = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: frameworkLogger(options.logger) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  })
  app.register(healthRoutes, { readiness: options.readiness })
  app.register(metricsRoute, { metrics: options.metrics })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: 'NotFound',
      message: `no route for ${request.method} ${request.url.slice(0, 200)}; probes are /healthz, /readyz and /metrics`,
    })
  })
  return app
}
