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
import type { BodyBudget } from './body-budget.js'
import { readBodyText } from './read-body.js'
import { ADMISSION_REVIEW_RESPONSE_SCHEMA } from './review-schema.js'
import { collectAfter } from './heap.js'

export const VALIDATE_PATH = '/validate-workflowexecution'
export const MUTATE_PATH = '/mutate-workflowexecution'

export interface AdmissionRoutesOptions {
  logger: Logger
  policy: CompiledPolicy
  metrics: ServerMetrics
  runEffects: EffectRunner
  bodyBudget: BodyBudget
}

const OTHER_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

export const admissionRoutes: FastifyPluginCallback<AdmissionRoutesOptions> = (app, options, done) => {
  // Encapsulated: only these routes lose fastify's text/plain parser and accept JSON alone.
  app.removeAllContentTypeParsers()
  // Read as text chunk by chunk (read-body.ts: no Buffers kept outside the heap), then parsed.
  app.addContentTypeParser('application/json', { bodyLimit: MAX_REVIEW_BYTES }, (request, payload, parsed) => {
    readBodyText(payload, request.headers['content-length'], MAX_REVIEW_BYTES, (err, text) => {
      if (err !== null) {
        parsed(err, undefined)
        return
      }
      try {
        parsed(null, parseJsonBody(text!))
      } catch (e) {
        parsed(e as Error, undefined)
      }
    })
  })
  options.metrics.knownRules(options.policy.rules.map((r) => ({ id: r.id, severity: r.kind === 'validate' ? r.severity : 'deny' })))
  for (const [path, webhook] of [
    [VALIDATE_PATH, 'validate'],
    [MUTATE_PATH, 'mutate'],
  ] as const) {
    const m = options.metrics.webhook(path)
    const ended = (): void => m.requestEnded()
    const budget = options.bodyBudget
    app.route({
      method: 'POST',
      url: path,
      bodyLimit: MAX_REVIEW_BYTES,
      // Answers are serialised by fast-json-stringify compiled from this schema (review-schema.ts).
      schema: { response: { 200: ADMISSION_REVIEW_RESPONSE_SCHEMA } },
      onRequest: (request, reply, next) => {
        m.requestStarted()
        const bytes = bodyBytes(request.headers['content-length'])
        if (bytes === 0) {
          // 'close' fires exactly once, after the response or when the client goes away mid-request.
          reply.raw.once('close', ended)
          next()
          return
        }
        // The body is read only once its bytes fit the budget (body-budget.ts); they are given back
        // when the answer is finished or the client has gone, waiting or not.
        const release = budget.claim(bytes, next)
        reply.raw.once('close', () => {
          ended()
          release()
          collectAfter(bytes)
        })
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
  const logVerdict = verdictLog(logger, webhook)
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
    logVerdict(req, result, decision, reply.elapsedTime)
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

/**
 * The bytes a request will read: its Content-Length, or the body limit when it has none (chunked).
 * A declared length over the limit costs nothing: fastify answers 413 without reading the body.
 */
function bodyBytes(header: string | undefined): number {
  if (header === undefined) return MAX_REVIEW_BYTES
  const n = Number(header)
  if (!Number.isSafeInteger(n) || n < 0) return MAX_REVIEW_BYTES
  return n > MAX_REVIEW_BYTES ? 0 : n
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

type Verdict = 'allowed' | 'mutated' | 'denied' | 'errored'
export type VerdictLog = (req: AdmissionRequest, result: AdmitResult, decision: Decision, elapsedMs: number) => void

/**
 * One line per denial, mutation or error at info; allowed-unchanged at debug only (per-request info
 * logging costs about 30 % of throughput). Only scalar identifiers: never object bodies or
 * userInfo.extra, and never a crafted non-string field (it could be huge or deeply nested).
 *
 * The fields that take few values (webhook, operation, dryRun, verdict, code) are bound once in a
 * pino child per combination, which pino serialises when the child is made; each line serialises
 * only the request's own fields. About 0.3 CPU µs less per line (docs/performance.md, issue 23).
 * Bounded: operation is one of five (decodeReview), verdict one of four, the code the core's own.
 */
export function verdictLog(log: Logger, webhook: string): VerdictLog {
  const children = new Map<string, Logger>()
  const childFor = (operation: string, dryRun: boolean, verdict: Verdict, code: number | undefined): Logger => {
    const key = `${operation} ${dryRun} ${verdict} ${code}`
    let child = children.get(key)
    if (child === undefined) children.set(key, (child = log.child({ webhook, operation, dryRun, verdict, code })))
    return child
  }
  return (req, result, decision, elapsedMs) => {
    const mutated = result.response.patch !== undefined
    const level = decision === 'allowed' && !mutated ? 'debug' : 'info'
    if (!log.isLevelEnabled(level)) return
    const verdict: Verdict = decision === 'allowed' ? (mutated ? 'mutated' : 'allowed') : decision
    const line = {
      uid: req.uid,
      subresource: str(req.subResource) ?? '',
      namespace: str(req.namespace),
      name: str(req.name),
      user: str(req.userInfo?.username),
      rules: [...result.violations.map((v) => v.error.origin), ...(result.mutatedBy ?? [])],
      warnings: result.response.warnings?.length ?? 0,
      durationMs: Math.round(elapsedMs * 1000) / 1000,
    }
    childFor(req.operation, req.dryRun === true, verdict, result.response.status?.code)[level](line, `admission ${verdict}`)
  }
}
