// An EffectRunner that only records its calls, so server tests can see what would be carried out.
import type { AdmissionRequest, Effect } from '../../src/admission/types.js'
import type { EffectRunner } from '../../src/effects/contract.js'

export interface RecordingRunner {
  run: EffectRunner
  calls: { request: AdmissionRequest; effects: readonly Effect[] }[]
}

export function recordingRunner(): RecordingRunner {
  const calls: RecordingRunner['calls'] = []
  return {
    run: (request, effects) => {
      calls.push({ request, effects })
    },
    calls,
  }
}
