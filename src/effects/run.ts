// Carries out a review's effects after the answer is sent. An admitted clearance is not yet a stored
// one (the write can still fail: a conflict, another webhook, the CRD's own validation), so this
// writes no audit record: it logs that the clearance was admitted and tells the audit watch to
// expect it; the watch writes the record when it observes the commit (audit-watch.ts). Nothing here
// can delay, fail or throw into the admission path; dry runs (sideEffects: NoneOnDryRun) produce nothing.
import type { AdmissionRequest, BlockClearedEffect, Effect } from '../admission/types.js'
import type { EffectHooks, EffectRunner } from './contract.js'
import type { EffectLogger } from './audit.js'

export interface EffectRunnerOptions {
  logger: EffectLogger
  /** The audit watch; absent when no Kubernetes API is configured (then nothing is audited). */
  watch?: { expect(effect: BlockClearedEffect): void; settled(): Promise<void>; close?(): Promise<void> } | undefined
  hooks?: EffectHooks | undefined
}

export interface ManagedEffectRunner extends EffectRunner {
  /** Resolves when the audit watch has settled every record it started (for shutdown and tests). */
  settled(): Promise<void>
  /** Stops the audit watch (at shutdown), after its records in flight have settled. */
  close(): Promise<void>
}

export const ADMITTED_MESSAGE = 'block clearance admitted; the audit record is written when the stored object is observed'
export const NO_WATCH_MESSAGE =
  'block clearance admitted; no audit watch (no Kubernetes API configured), so no audit record will be written'
export const DEFAULT_EVENT_TIMEOUT_MS = 5000

export function createEffectRunner(options: EffectRunnerOptions): ManagedEffectRunner {
  const { logger, watch } = options
  const run = (request: AdmissionRequest, effects: readonly Effect[]): void => {
    // `as unknown` keeps `effects` typed: Array.isArray() on a readonly array widens its elements to any.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    if (request?.dryRun === true || !Array.isArray(effects as unknown) || effects.length === 0) return
    for (const effect of effects) {
      try {
        logger.info(
          {
            event: effect.type,
            actor: { username: effect.actor.username },
            resource: effect.resource,
            clearedAt: effect.time,
            method: effect.method,
            correlationId: effect.correlationId,
            admissionUid: effect.admissionUid,
          },
          watch === undefined ? NO_WATCH_MESSAGE : ADMITTED_MESSAGE,
        )
        watch?.expect(effect)
      } catch (err) {
        logger.error({ err, admissionUid: effect.admissionUid }, 'admitted clearance could not be handed to the audit watch')
      }
    }
  }
  return Object.assign(run, {
    settled: () => watch?.settled() ?? Promise.resolve(),
    close: async () => {
      await watch?.close?.()
    },
  })
}
