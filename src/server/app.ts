// buildApp(): the webhook's fastify instance, not listening, so tests inject() into exactly what
// production serves. listen.ts adds the HTTPS options and the socket timeouts.
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { ServerOptions as HttpsServerOptions } from 'node:https'
import { MAX_REVIEW_BYTES } from '../admission/review.js'
import type { CompiledPolicy } from '../admission/rule-contract.js'
import type { EffectRunner } from '../effects/contract.js'
import type { ServerMetrics } from './metrics.js'
import type { Readiness } from './health.js'
import { admissionRoutes, MUTATE_PATH, VALIDATE_PATH } from './admission.js'
import { httpErrorBody, replyWithError } from './http-errors.js'
import { DEFAULT_SERVER_SETTINGS } from './settings.js'
import { frameworkLogger } from './framework-logger.js'
import { createBodyBudget, type BodyBudget } from './body-budget.js'

export interface AppOptions {
  policy: CompiledPolicy
  logger: Logger
  metrics: ServerMetrics
  runEffects: EffectRunner
  /** Once shutdown begins, every response carries Connection: close so clients move to other pods. */
  readiness?: Readiness
  /** TLS and node:https server options (listen.ts); without them the instance is for inject(). */
  https?: HttpsServerOptions
  /** Idle keep-alive sockets are closed after this long. */
  keepAliveTimeoutMs?: number
  /** A request that has not fully arrived after this long is answered 408 and its socket closed. */
  requestTimeoutMs?: number
  /** Bounds the bytes of review bodies in flight; the default follows the Deployment's memory limit. */
  bodyBudget?: BodyBudget
}

export function buildApp(options: AppOptions): FastifyInstance {
  const base = {
    loggerInstance: frameworkLogger(options.logger),
    // fastify's per-request log lines cost throughput; admission.ts logs each verdict instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Every line we write names its review by uid, so a per-request child logger is pure cost.
    childLoggerFactory: <L>(logger: L): L => logger,
    bodyLimit: MAX_REVIEW_BYTES,
    // A 503 here would fail the apiserver's call (failurePolicy: Fail); requests arriving on an open
    // connection during close are answered normally, with Connection: close.
    return503OnClosing: false,
    forceCloseConnections: 'idle' as const,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_SERVER_SETTINGS.keepAliveTimeoutMs,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_SERVER_SETTINGS.requestTimeoutMs,
    // The apiserver keeps a connection for many reviews; never cap requests per socket.
    maxRequestsPerSocket: 0,
  }
  // https.Server is not an http.Server in the types, but fastify serves both through one handler.
  const app = (options.https === undefined ? Fastify(base) : Fastify({ ...base, https: options.https })) as unknown as FastifyInstance

  app.setErrorHandler(replyWithError)
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(
        httpErrorBody(
          'NotFound',
          `no route for ${request.method} ${request.url.slice(0, 100)}; the webhooks are POST ${VALIDATE_PATH} and POST ${MUTATE_PATH}`,
        ),
      )
  })
  const readiness = options.readiness
  if (readiness !== undefined) {
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (readiness.shuttingDown) reply.header('connection', 'close')
      done(null, payload)
    })
  }
  const bodyBudget = options.bodyBudget ?? createBodyBudget()
  options.metrics.trackBodyBudget(bodyBudget)
  app.register(admissionRoutes, {
    bodyBudget,
    logger: options.logger,
    policy: options.policy,
    metrics: options.metrics,
    runEffects: options.runEffects,
  })
  return app
}
