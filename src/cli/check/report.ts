// What `check` found, as plain data: every renderer and the exit code read this and nothing else.
import type { Operation } from '../../admission/types.js'
import type { Subresource } from '../../admission/rule-contract.js'
import type { WorkflowExecution } from '../../api/workflowexecution.js'
import type { Position, SourceRef } from './documents.js'
import type { RenderOptions } from '../render/options.js'

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
/** A field the CRD does not declare: refused under kubectl's default --validate=strict, pruned with a warning under warn. */
export const UNKNOWN_FIELD = 'unknown-field'

/** A finding that fails the run: every denial, and a warning under --warnings-as-errors unless its rule is tolerated. */
export function failsRun(f: Pick<Finding, 'severity' | 'ruleId'>, opts: RenderOptions): boolean {
  return f.severity === 'deny' || (opts.warningsAsErrors && opts.toleratedWarnings?.has(f.ruleId) !== true)
}

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

/** `2 v1 ConfigMap, 1 apps/v1 Deployment`: which kinds were skipped, how many of each, in the order first seen. */
export function skippedKinds(skipped: readonly SkippedDoc[]): string {
  const counts = new Map<string, number>()
  for (const s of skipped) {
    const kind = s.kind === '' ? 'without kind' : `${s.apiVersion} ${s.kind}`.trim()
    counts.set(kind, (counts.get(kind) ?? 0) + 1)
  }
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')
}

export function summaryLine(s: Summary, skipped: readonly SkippedDoc[] = []): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const kinds = skipped.length === 0 ? '' : `: ${skippedKinds(skipped)}`
  const skippedText = s.skipped === 0 ? '' : `; ${plural(s.skipped, 'document')} of other kinds skipped${kinds}`
  return `${plural(s.objects, 'object')} checked: ${s.allowed} allowed, ${s.denied} denied, ${plural(s.warnings, 'warning')}${skippedText}`
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
