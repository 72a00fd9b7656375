// Shared set-up for the server tests: an app over the full built-in policy, a captured pino log,
// recorded effects and a fresh metrics registry per test.
import { pino, type Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/server/app.js'
import { createMetrics, type ServerMetrics } from '../../src/server/metrics.js'
import { createReadiness, type Readiness } from '../../src/server/health.js'
import { recordingRunner, type RecordingRunner } from './effects.js'
import { aFailedExecution, aRequest, aReview, OPERATOR, testPolicy } from './objects.js'
import type { AdmissionRequest } from '../../src/admission/types.js'

export interface CapturedLog {
  logger: Logger
  lines: Record<string, unknown>[]
}

export function captureLog(level = 'info'): CapturedLog {
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level },
    {
      write: (s: string) => {
        lines.push(JSON.parse(s) as Record<string, unknown>)
      },
    },
  )
  return { logger, lines }
}

export interface Fixture {
  app: FastifyInstance
  log: CapturedLog
  effects: RecordingRunner
  metrics: ServerMetrics
  readiness: Readiness
}

export function fixture(level = 'info'): Fixture {
  const log = captureLog(level)
  const effects = recordingRunner()
  const metrics = createMetrics({ defaultMetrics: false })
  const readiness = createReadiness()
  const app = buildApp({ policy: testPolicy(), logger: log.logger, metrics, runEffects: effects.run, readiness })
  return { app, log, effects, metrics, readiness }
}

export const CLEAR_REASON = 'node pressure resolved, cluster state verified manually'

/** A /status UPDATE by an operator that adds a block clearance: mutate attributes it and emits an effect. */
export function clearanceRequest(dryRun = false): AdmissionRequest {
  const oldObject = aFailedExecution()
  const object = aFailedExecution((w) => {
    ;(w.status as Record<string, unknown>)['blockClearance'] = { clearReason: CLEAR_REASON }
  })
  return aRequest({
    operation: 'UPDATE',
    subResource: 'status',
    object,
    oldObject,
    userInfo: { ...OPERATOR, extra: { 'secret-extra': ['do-not-log'] } },
    dryRun,
  })
}

export function json(review: unknown): { payload: string; headers: Record<string, string> } {
  return { payload: JSON.stringify(review), headers: { 'content-type': 'application/json' } }
}

export { aReview }
