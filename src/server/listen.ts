// startServer(): the webhook over HTTPS and the probes over plain HTTP, with socket limits that
// survive slow or idle clients, and a shutdown that drops no accepted review.
import type { AddressInfo } from 'node:net'
import type { Server as TlsServer } from 'node:tls'
import type { ServerOptions as HttpsServerOptions } from 'node:https'
import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { CompiledPolicy } from '../admission/rule-contract.js'
import type { CertificateSource } from '../tls/source.js'
import type { EffectRunner } from '../effects/contract.js'
import { buildApp } from './app.js'
import { buildProbeApp, createReadiness, type Readiness } from './health.js'
import { createMetrics, type ServerMetrics } from './metrics.js'
import { DEFAULT_SERVER_SETTINGS as DEFAULTS } from './settings.js'

export interface StartOptions {
  policy: CompiledPolicy
  logger: Logger
  source: CertificateSource
  runEffects?: EffectRunner
  metrics?: ServerMetrics
  readiness?: Readiness
  host?: string
  /** 0 picks a free port; the bound one is in RunningServer.port. */
  port: number
  probeHost?: string
  probePort: number
  /** After shutdown begins, keep answering this long (readiness already false) before closing. */
  drainDelayMs?: number
  /** Longest wait for in-flight reviews after the drain delay; then the remaining sockets are cut. */
  shutdownTimeoutMs?: number
  keepAliveTimeoutMs?: number
  headersTimeoutMs?: number
  requestTimeoutMs?: number
  handshakeTimeoutMs?: number
  connectionsCheckingIntervalMs?: number
}

export interface RunningServer {
  app: FastifyInstance
  probeApp: FastifyInstance
  metrics: ServerMetrics
  readiness: Readiness
  port: number
  probePort: number
  /** Drain, close, wait for in-flight reviews; idempotent (every caller gets the same promise). */
  shutdown(reason?: string): Promise<void>
  /** Ends the drain delay now (before or during shutdown); in-flight reviews are still answered. */
  endDrain(): void
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { logger, source, policy } = options
  const metrics = options.metrics ?? createMetrics()
  const readiness = options.readiness ?? createReadiness()
  readiness.setPolicy(policy)
  readiness.setTls(source)
  metrics.trackCertificate(() => source.notAfter())

  const tlsOptions = source.serverOptions()
  const https: HttpsServerOptions = {
    ...tlsOptions,
    minVersion: tlsOptions.minVersion ?? 'TLSv1.2',
    ALPNProtocols: ['http/1.1'],
    handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
    headersTimeout: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    connectionsCheckingInterval: options.connectionsCheckingIntervalMs ?? DEFAULTS.connectionsCheckingIntervalMs,
  }
  const app = buildApp({
    policy,
    logger,
    metrics,
    readiness,
    runEffects: options.runEffects ?? (() => {}),
    https,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULTS.keepAliveTimeoutMs,
    requestTimeoutMs: https.requestTimeout ?? DEFAULTS.requestTimeoutMs,
  })
  source.attach(app.server as unknown as TlsServer)
  const probeApp = buildProbeApp({ readiness, metrics, logger })

  await probeApp.listen({ host: options.probeHost ?? options.host ?? DEFAULTS.bindAddress, port: options.probePort })
  try {
    await app.listen({ host: options.host ?? DEFAULTS.bindAddress, port: options.port })
  } catch (err) {
    await probeApp.close()
    throw err
  }
  source.start()

  let stopping: Promise<void> | undefined
  const drainCut = new AbortController()
  const shutdown = (reason = 'requested'): Promise<void> => {
    stopping ??= stop(reason, {
      app,
      probeApp,
      source,
      readiness,
      logger,
      drainDelayMs: options.drainDelayMs ?? DEFAULTS.drainDelayMs,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
      drainCut: drainCut.signal,
    })
    return stopping
  }
  return {
    app,
    probeApp,
    metrics,
    readiness,
    port: (app.server.address() as AddressInfo).port,
    probePort: (probeApp.server.address() as AddressInfo).port,
    shutdown,
    endDrain: () => drainCut.abort(),
  }
}

interface StopContext {
  app: FastifyInstance
  probeApp: FastifyInstance
  source: CertificateSource
  readiness: Readiness
  logger: Logger
  drainDelayMs: number
  shutdownTimeoutMs: number
  drainCut: AbortSignal
}

async function stop(reason: string, c: StopContext): Promise<void> {
  const t0 = Date.now()
  // Endpoints controllers need a few seconds to take the pod out of the Service; until then the
  // apiserver still sends here, so keep answering (each answer now closes its connection).
  c.readiness.beginShutdown()
  const drainDelayMs = c.drainCut.aborted ? 0 : c.drainDelayMs
  c.logger.info({ reason, drainDelayMs }, 'shutdown: readiness false, draining')
  if (drainDelayMs > 0)
    await delay(drainDelayMs, undefined, { signal: c.drainCut }).catch(() => c.logger.info({ reason }, 'shutdown: drain delay ended early'))
  // Stops accepting, closes idle keep-alive sockets and resolves once in-flight reviews are answered.
  const closed = c.app.close()
  let timer: NodeJS.Timeout | undefined
  const timedOut = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), c.shutdownTimeoutMs)
    }),
  ])
  clearTimeout(timer)
  if (timedOut) {
    c.logger.warn(
      { shutdownTimeoutMs: c.shutdownTimeoutMs },
      'shutdown: in-flight requests still open after the timeout; closing their connections',
    )
    c.app.server.closeAllConnections()
    await closed
  }
  c.source.stop()
  await c.probeApp.close()
  c.logger.info({ reason, ms: Date.now() - t0 }, 'shutdown complete')
}

/**
 * SIGTERM (the kubelet) starts the shutdown with the drain delay, which exists for Kubernetes
 * endpoints. SIGINT (Ctrl-C in a terminal; the kubelet never sends it) and a second signal of either
 * kind skip or end the drain: the server closes once in-flight reviews are answered. A third SIGINT
 * exits at once. Resolves with the first signal once the shutdown has finished.
 */
export function shutdownOnSignal(server: RunningServer, logger: Logger, signals: NodeJS.EventEmitter = process): Promise<NodeJS.Signals> {
  return new Promise((resolve, reject) => {
    let received = 0
    const onSignal = (signal: NodeJS.Signals): void => {
      received++
      if (received === 1) {
        if (signal === 'SIGINT') {
          logger.info('SIGINT: no drain delay; closing once in-flight reviews are answered')
          server.endDrain()
        }
        server.shutdown(signal).then(() => {
          signals.removeListener('SIGTERM', onSignal)
          signals.removeListener('SIGINT', onSignal)
          resolve(signal)
        }, reject)
      } else if (received === 2) {
        logger.info({ signal }, 'second signal: ending the drain delay; closing once in-flight reviews are answered')
        server.endDrain()
      } else if (signal === 'SIGINT') {
        logger.warn('third signal: exiting without waiting')
        process.exit(130)
      }
    }
    // Listeners stay until the shutdown is done, so a repeated signal never kills the process mid-drain.
    signals.on('SIGTERM', onSignal)
    signals.on('SIGINT', onSignal)
  })
}
