// What `check` found, as plain data: every renderer and the exit code read this and nothing else.
import type { Operation } from '../../admission/types.js'
import type { Subresource } from '../../admission/rule-contract.js'
import type { WorkflowExecution } from '../../api/workflowexecution.js'
import type { Position, SourceRef } from './documents.js'

export interface Finding {
  /** The rule id; REQUEST_INVALID when the core refused to judge the request. */
  ruleId: string
  severity: 'deny' | 'warn'
  /** Field path, '' when the finding is about the whole request. */
  field: string
  /** `field: Type text: value: detail`, as the apiserver would print it. */
  message: string
  /** Where the field (or its nearest written parent) is in the file; absent for whole-object findings. */
  location?: Position
}

export interface ObjectResult {
  source: SourceRef
  namespace: string
  name: string
  operation: Extract<Operation, 'CREATE' | 'UPDATE'>
  subresource: Subresource
  /** The old object an UPDATE was checked against. */
  old?: SourceRef
  allowed: boolean
  findings: Finding[]
  /** What the apiserver would store: the object after mutation. Only when allowed. */
  admitted?: WorkflowExecution
}

export interface SkippedDoc {
  source: SourceRef
  apiVersion: string
  kind: string
}

export interface RuleInfo {
  id: string
  description: string
  severity: 'deny' | 'warn'
}

export interface CheckReport {
  tool: { name: string; version: string }
  results: ObjectResult[]
  skipped: SkippedDoc[]
  /** Every rule that could produce a finding, plus the synthetic ids used. */
  rules: RuleInfo[]
  /** Run-wide notes a machine-readable report carries when it cannot print them beside itself. */
  notes?: string[]
}

/** A request the core refused to judge (the object is not a decodable WorkflowExecution). */
export const REQUEST_INVALID = 'request-invalid'
/** A kubernaut.ai document whose kind/version the CRD does not serve: the apiserver would refuse it. */
export const UNSERVED_KIND = 'unserved-kind'
/** A field the CRD does not declare: the apiserver prunes it and warns, as kubectl shows. */
export const UNKNOWN_FIELD = 'unknown-field'

export interface Summary {
  objects: number
  allowed: number
  denied: number
  warnings: number
  skipped: number
}

export function summarize(report: CheckReport): Summary {
  const denied = report.results.filter((r) => !r.allowed).length
  const warnings = report.results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'warn').length, 0)
  return { objects: report.results.length, allowed: report.results.length - denied, denied, warnings, skipped: report.skipped.length }
}

export function summaryLine(s: Summary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const skipped = s.skipped === 0 ? '' : `; ${plural(s.skipped, 'document')} skipped (not a kubernaut.ai/v1alpha1 WorkflowExecution)`
  return `${plural(s.objects, 'object')} checked: ${s.allowed} allowed, ${s.denied} denied, ${plural(s.warnings, 'warning')}${skipped}`
}

/** Where a finding points: its field's position, else the object's first line. */
export function findingPosition(r: Pick<ObjectResult, 'source'>, f: Pick<Finding, 'location'>): { line: number; column?: number } {
  return f.location ?? { line: r.source.line }
}

/** `file:line[:column]` of a finding, the form editors and CI logs link. */
export function findingRef(r: Pick<ObjectResult, 'source'>, f: Pick<Finding, 'location'>): string {
  const p = findingPosition(r, f)
  return `${r.source.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`
}

export function objectName(r: Pick<ObjectResult, 'namespace' | 'name'>): string {
  return `${r.namespace}/${r.name === '' ? '(no name)' : r.name}`
}
