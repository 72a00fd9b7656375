// The contract between the server (which calls it) and effects/ (which carries effects out).
import type { AdmissionRequest, Effect } from '../admission/types.js'

export interface EffectHooks {
  /** One per audit Event write attempt. */
  event?(result: 'success' | 'error'): void
}

/**
 * Carries out the effects of an allowed review, after the answer is sent. Returns at once when
 * request.dryRun is true. Never throws and never blocks the caller (Event writes are async).
 */
export type EffectRunner = (request: AdmissionRequest, effects: readonly Effect[]) => void
