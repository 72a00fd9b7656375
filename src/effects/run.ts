// Carries out a review's effects after the answer is sent: the audit line at once, the Event in
// the background. Nothing here can delay, fail or throw into the admission path; dry runs (the
// webhook declares sideEffects: NoneOnDryRun) produce nothing at all.
import type { AdmissionRequest, Effect } from '../admission/types.js'
import type { EffectHooks, EffectRunner } from './contract.js'
import type { EventWriter } from './events.js'
import { auditLogger, writeAuditRecord, type EffectLogger } from './audit.js'

export interface EffectRunnerOptions {
  logger: EffectLogger
  /** Absent when no Kubernetes API is configured: audit lines only. */
  events?: EventWriter | undefined
  hooks?: EffectHooks | undefined
  /**
   * Event writes allowed in flight at once. A slow apiserver must not pile up sockets and memory
   * in the webhook: past the bound, a write is dropped and counted as an error (the audit line,
   * the record of truth, is still written).
   */
  maxInFlight?: number
  /** Upper bound for one Event write, even if the writer ignores its abort signal. */
  timeoutMs?: number
}

export interface ManagedEffectRunner extends EffectRunner {
  /** Event writes not yet settled. */
  pending(): number
  /** Resolves when every Event write started so far has settled (for shutdown and tests). */
  settled(): Promise<void>
}

export const DEFAULT_MAX_IN_FLIGHT = 32
export const DEFAULT_EVENT_TIMEOUT_MS = 5000

export function createEffectRunner(options: EffectRunnerOptions): ManagedEffectRunner {
  const { logger, events } = options
  const audit = auditLogger(logger)
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  const timeoutMs = options.timeoutMs ?? DEFAULT_EVENT_TIMEOUT_MS
  const inFlight = new Set<Promise<void>>()

  const count = (result: 'success' | 'error'): void => {
    try {
      options.hooks?.event?.(result)
    } catch (err) {
      logger.warn({ err }, 'effect hook threw')
    }
  }

  const startEvent = (writer: EventWriter, effect: Effect): void => {
    const fields = { event: effect.type, resource: effect.resource, admissionUid: effect.admissionUid }
    if (inFlight.size >= maxInFlight) {
      count('error')
      logger.warn({ ...fields, maxInFlight }, 'BlockCleared Event dropped: too many Event writes in flight')
      return
    }
    const controller = new AbortController()
    // Not unref'd: a pending Event write is bounded by this timer anyway, and keeping the process
    // alive that long lets a write started just before shutdown complete.
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`Event write timed out after ${timeoutMs}ms`)
        controller.abort(err)
        reject(err)
      }, timeoutMs)
    })
    // Deferred to a microtask, so even a writer that throws synchronously runs after we return.
    const attempt = Promise.resolve().then(() => writer.write(effect, controller.signal))
    const done: Promise<void> = Promise.race([attempt, timedOut]).then(
      () => count('success'),
      (err: unknown) => {
        count('error')
        logger.warn({ ...fields, err }, 'BlockCleared Event write failed')
      },
    ).finally(() => {
      clearTimeout(timer)
      inFlight.delete(done)
    })
    // A writer that settles after the timeout must not surface as an unhandled rejection.
    attempt.catch(() => {})
    inFlight.add(done)
  }

  const run = (request: AdmissionRequest, effects: readonly Effect[]): void => {
    if (request?.dryRun === true || !Array.isArray(effects) || effects.length === 0) return
    for (const effect of effects) {
      try {
        writeAuditRecord(audit, effect)
      } catch (err) {
        logger.error({ err, admissionUid: effect.admissionUid }, 'audit record could not be written')
      }
      if (events !== undefined) startEvent(events, effect)
    }
  }

  return Object.assign(run, {
    pending: () => inFlight.size,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    },
  })
}
