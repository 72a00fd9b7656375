// Assertions on AdmissionResponses that read structure (causes, rule ids), not prose.
import type { AdmitResult } from '../../src/admission/admit.js'
import type { PatchOperation } from '../../src/admission/patch.js'
import { decodePatch } from './patch.js'

export function ruleIds(result: AdmitResult, severity?: 'deny' | 'warn'): string[] {
  return result.violations.filter((v) => severity === undefined || v.severity === severity).map((v) => v.error.origin ?? '?')
}

export function patchOf(result: AdmitResult): PatchOperation[] {
  return result.response.patch === undefined ? [] : decodePatch(result.response.patch)
}

export function message(result: AdmitResult): string {
  return result.response.status?.message ?? ''
}
