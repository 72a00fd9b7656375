// The two webhook routes. The handler does only: body → decodeReview → admit → encodeReview →
// HTTP 200 → effects. Everything a route needs (metrics children, the log level check) is bound once
// when the plugin registers, so the hot path does no lookups by name.
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { admit, type AdmitResult } from '../admission/admit.js'
import { decodeReview, encodeReview, MAX_REVIEW_BYTES } from '../admission/review.js'
import type { AdmissionRequest } from '../admission/types.js'
import type { CompiledPolicy } from '../admission/rule-contract.js'
import type { EffectRunner } from '../effects/contract.js'
import type { Decision, ServerMetrics, WebhookMetrics } from './metrics.js'
import { httpErrorBody, parseJsonBody } from './http-errors.js'

export const VALIDATE_PATH = '/validate-workflowexecution'
export const MUTATE_PATH = '/mutate-workflowexecution'

export interface AdmissionRoutesOptions {
  logger: Logger
  policy: CompiledPolicy
  metrics: ServerMetrics
  runEffects: EffectRunner
}

const OTHER_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

export const admissionRoutes: FastifyPluginCallback<AdmissionRoutesOptions> = (app, options, done) => {
  // Encapsulated: only these routes lose fastify's text/plain parser and accept JSON alone.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_REVIEW_BYTES }, (_request, body, parsed) => {
    try {
      parsed(null, parseJsonBody(body as string))
    } catch (err) {
      parsed(err as Error, undefined)
    }
  })
  options.metrics.knownRules(options.policy.rules.map((r) => ({ id: r.id, severity: r.kind === 'validate' ? r.severity : 'deny' })))
  for (const [path, webhook] of [
    [VALIDATE_PATH, 'validate'],
    [MUTATE_PATH, 'mutate'],
  ] as const) {
    const m = options.metrics.webhook(path)
    const ended = (): void => m.requestEnded()
    app.route({
      method: 'POST',
      url: path,
      bodyLimit: MAX_REVIEW_BYTES,
      onRequest: (_request, reply, next) => {
        m.requestStarted()
        // 'close' fires exactly once, after the response or when the client goes away mid-request.
        reply.raw.once('close', ended)
        next()
      },
      onResponse: (_request, reply, next) => {
        m.observe(reply.statusCode, reply.elapsedTime / 1000)
        next()
      },
      handler: reviewHandler(webhook, m, options),
    })
    app.route({
      method: [...OTHER_METHODS],
      url: path,
      exposeHeadRoute: false,
      handler: (request, reply) => {
        reply
          .code(405)
          .header('allow', 'POST')
          .send(httpErrorBody('MethodNotAllowed', `${request.method} is not allowed on ${path}: the apiserver sends POST`))
      },
    })
  }
  done()
}

function reviewHandler(webhook: 'validate' | 'mutate', m: WebhookMetrics, options: AdmissionRoutesOptions) {
  const { policy, runEffects, metrics, logger } = options
  return function handle(request: FastifyRequest, reply: FastifyReply): void {
    const decoded = decodeReview(request.body)
    if (!decoded.ok) {
      reply.code(400).send(httpErrorBody('NotAnAdmissionReview', decoded.message, decoded.uid))
      return
    }
    const result = admit(decoded.request, policy, webhook)
    reply.code(200).send(encodeReview(decoded.apiVersion, result.response))
    const req = decoded.request
    const decision = decisionOf(result)
    m.decision(req.operation, subresourceLabel(req.subResource), decision, req.dryRun === true)
    for (const v of result.violations) metrics.ruleViolation(v.error.origin, v.severity)
    logVerdict(logger, webhook, req, result, decision, reply.elapsedTime)
    if (result.effects.length > 0) {
      try {
        runEffects(req, result.effects)
      } catch (err) {
        // The contract says a runner never throws; if one does, the answer is already sent.
        logger.error({ err, uid: req.uid }, 'effect runner threw')
      }
    }
  }
}

export function decisionOf(result: AdmitResult): Decision {
  if (result.response.allowed) return 'allowed'
  return result.response.status?.code === 403 ? 'denied' : 'errored'
}

// A crafted subResource reaches here only as an errored review; folding it keeps cardinality bounded.
function subresourceLabel(sub: unknown): string {
  if (sub === undefined || sub === '') return ''
  return sub === 'status' ? 'status' : 'other'
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/**
 * One line per denial, mutation or error at info; allowed-unchanged at debug only (per-request info
 * logging costs about 30 % of throughput). Only scalar identifiers: never object bodies or
 * userInfo.extra, and never a crafted non-string field (it could be huge or deeply nested).
 */
export function logVerdict(
  log: Logger,
  webhook: string,
  req: AdmissionRequest,
  result: AdmitResult,
  decision: Decision,
  elapsedMs: number,
): void {
  const mutated = result.response.patch !== undefined
  const level = decision === 'allowed' && !mutated ? 'debug' : 'info'
  if (!log.isLevelEnabled(level)) return
  const verdict = decision === 'allowed' ? (mutated ? 'mutated' : 'allowed') : decision
  const line = {
    webhook,
    uid: req.uid,
    operation: req.operation,
    subresource: str(req.subResource) ?? '',
    namespace: str(req.namespace),
    name: str(req.name),
    user: str(req.userInfo?.username),
    dryRun: req.dryRun === true,
    verdict,
    code: result.response.status?.code,
    rules: [...result.violations.map((v) => v.error.origin), ...(result.mutatedBy ?? [])],
    warnings: result.response.warnings?.length ?? 0,
    durationMs: Math.round(elapsedMs * 1000) / 1000,
  }
  log[level](line, `admission ${verdict}`)
}
