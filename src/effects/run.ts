// Carries out a review's effects after the answer is sent. An admitted clearance is not yet a stored
// one (the write can still fail: a conflict, another webhook, the CRD's own validation), so this
// writes no audit record: it logs the admission and keeps who was admitted as an admission marker
// (src/audit/evidence.ts); the recorder writes the record when the shared watch shows the commit
// (src/audit/recorder.ts). Nothing here can delay, fail or throw into the admission path; dry runs
// (sideEffects: NoneOnDryRun) produce nothing.
import type { AdmissionRequest, Effect } from '../admission/types.js'
import type { EffectHooks, EffectRunner } from './contract.js'
import type { EffectLogger } from './audit.js'

export interface EffectRunnerOptions {
  logger: EffectLogger
  /** Keeps the admission evidence; absent when no Kubernetes API is configured (then nothing is audited). */
  evidence?: { admitted(effect: Effect): void; settled(): Promise<void>; close?(): Promise<void> } | undefined
  hooks?: EffectHooks | undefined
}

export interface ManagedEffectRunner extends EffectRunner {
  /** Resolves when the evidence writes started so far have settled (for shutdown and tests). */
  settled(): Promise<void>
  /** Stops the recorder side (at shutdown), after its writes in flight have settled. */
  close(): Promise<void>
}

export const ADMITTED_MESSAGE = 'block clearance admitted; the audit record is written when the stored object is observed'
export const DELETION_ADMITTED_MESSAGE = 'deletion of a blocked execution admitted; the audit record is written when it is observed'
export const NO_WATCH_MESSAGE =
  'block clearance admitted; no audit recorder (no Kubernetes API configured), so no audit record will be written'
export const DEFAULT_EVENT_TIMEOUT_MS = 5000

export function createEffectRunner(options: EffectRunnerOptions): ManagedEffectRunner {
  const { logger, evidence } = options
  const run = (request: AdmissionRequest, effects: readonly Effect[]): void => {
    // `as unknown` keeps `effects` typed: Array.isArray() on a readonly array widens its elements to any.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    if (request?.dryRun === true || !Array.isArray(effects as unknown) || effects.length === 0) return
    for (const effect of effects) {
      try {
        const fields: Record<string, unknown> = {
          event: effect.type,
          actor: { username: effect.actor.username },
          resource: effect.resource,
          correlationId: effect.correlationId,
          admissionUid: effect.admissionUid,
        }
        if (effect.type === 'workflowexecution.block.cleared') Object.assign(fields, { clearedAt: effect.time, method: effect.method })
        else Object.assign(fields, { act: effect.act, exemption: effect.exemption })
        const message =
          evidence === undefined
            ? NO_WATCH_MESSAGE
            : effect.type === 'workflowexecution.block.cleared'
              ? ADMITTED_MESSAGE
              : DELETION_ADMITTED_MESSAGE
        logger.info(fields, message)
        evidence?.admitted(effect)
      } catch (err) {
        logger.error({ err, admissionUid: effect.admissionUid }, 'admitted effect could not be handed to the audit recorder')
      }
    }
  }
  return Object.assign(run, {
    settled: () => evidence?.settled() ?? Promise.resolve(),
    close: async () => {
      await evidence?.close?.()
    },
  })
}
