// Assertions on AdmissionResponses that read structure (causes, rule ids), not prose.
import type { AdmitResult } from '../../src/admission/admit.js'
import type { PatchOperation } from '../../src/admission/patch.js'
import type { FieldErrorType } from '../../src/admission/field.js'
import type { RuleId } from '../../src/rules/index.js'
import { decodePatch } from './patch.js'

export function ruleIds(result: AdmitResult, severity?: 'deny' | 'warn'): string[] {
  return result.violations.filter((v) => severity === undefined || v.severity === severity).map((v) => v.error.origin ?? '?')
}

/** A violation as [rule id, field, type]: expected ones are written with RuleId, so a mistyped id fails tsc. */
export type Triple = [origin: RuleId, field: string, type: FieldErrorType]

export function triples(result: AdmitResult, severity?: 'deny' | 'warn'): Triple[] {
  return result.violations
    .filter((v) => severity === undefined || v.severity === severity)
    .map((v) => [v.error.origin as RuleId, v.error.field, v.error.type])
}

export function patchOf(result: AdmitResult): PatchOperation[] {
  return result.response.patch === undefined ? [] : decodePatch(result.response.patch)
}

export function message(result: AdmitResult): string {
  return result.response.status?.message ?? ''
}
