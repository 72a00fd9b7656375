// A policy file's rules are checked before they can act (issue 21): a rule that reads a field the
// CRD does not declare, or that cannot be evaluated on a valid object, would otherwise load and then
// deny every WorkflowExecution write with an internal error. Each rule is compiled, every field path
// it reads (`object.spec.x`, `oldObject.status.y`, its fieldPath) is walked through the CRD's schema,
// and it is evaluated once on the shipped valid examples for each operation it applies to. Every
// problem of every rule is returned, so one run shows them all.
import { admit } from '../admission/admit.js'
import { firstLine } from '../cel/compile.js'
import { compileCelRule, ruleLocation } from '../cel/rule.js'
import type { AdmissionOptions } from '../config.js'
import { compilePolicy } from '../policy.js'
import type { CelRule } from '../admission/rule-contract.js'
import { METADATA_SCHEMA, SPEC_SCHEMA, STATUS_SCHEMA, type SchemaNode } from '../api/structural-schema.js'
import { closest } from './args.js'
import { identity, synthesizeRequest } from './check/request.js'
import { pathSegments } from './check/documents.js'
import { COMPLETED, CREATED, RELABELLED, SAMPLE_FILES, STORED } from './policy-samples.js'

const ANY: SchemaNode = { type: 'any' }
const STRING: SchemaNode = { type: 'string' }

/** A WorkflowExecution as CEL sees it: the CRD's spec and status, and ObjectMeta. */
const ROOT: SchemaNode = {
  type: 'object',
  properties: {
    apiVersion: STRING,
    kind: STRING,
    metadata:
      METADATA_SCHEMA.type === 'object'
        ? { ...METADATA_SCHEMA, properties: { ...METADATA_SCHEMA.properties, ownerReferences: ANY, managedFields: ANY, selfLink: STRING } }
        : ANY,
    spec: SPEC_SCHEMA,
    status: STATUS_SCHEMA,
  },
}

/** `field.path` if it names a field the schema declares, else the problem and the closest real field. */
export function schemaProblem(segments: readonly string[]): string | undefined {
  let node = ROOT
  const walked: string[] = []
  for (const seg of segments) {
    if (node.type === 'any') return undefined
    if (node.type === 'map') node = node.values
    else if (node.type === 'array') {
      if (!/^\d+$/.test(seg)) return `${walked.join('.')} is a list: "${seg}" is not a field of it`
      node = node.items
    } else if (node.type === 'object') {
      const child = node.properties[seg]
      if (child === undefined) {
        const near = closest(seg, Object.keys(node.properties))
        const at = walked.length === 0 ? 'a WorkflowExecution' : walked.join('.')
        return `${at} has no field "${seg}"${near === undefined ? '' : `; did you mean ${[...walked, near].join('.')}?`}`
      }
      node = child
    } else return `${walked.join('.')} is a ${node.type}: it has no field "${seg}"`
    walked.push(seg)
  }
  return undefined
}

const STRINGS = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g
const REFERENCE = /\b(?:object|oldObject)((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)+)(\s*\()?/g

/** The field paths an expression reads from `object`/`oldObject` (a trailing method call is not a field). */
export function fieldReferences(expression: string): string[][] {
  const out: string[][] = []
  for (const m of expression.replace(STRINGS, '""').matchAll(REFERENCE)) {
    const segments = (m[1] as string)
      .split('.')
      .map((s) => s.trim())
      .filter((s) => s !== '')
    if (m[2] !== undefined) segments.pop()
    if (segments.length > 0) out.push(segments)
  }
  return out
}

function fieldProblems(rule: CelRule): string[] {
  const problems: string[] = []
  const at = ruleLocation(rule)
  const fieldPath = schemaProblem(pathSegments(rule.field))
  if (fieldPath !== undefined) problems.push(`${at}: fieldPath: ${rule.field}: ${fieldPath}`)
  for (const key of ['expression', 'messageExpression'] as const) {
    const text = rule[key]
    if (text === undefined) continue
    const seen = new Set<string>()
    for (const segments of fieldReferences(text)) {
      const path = segments.join('.')
      if (seen.has(path)) continue
      seen.add(path)
      const problem = schemaProblem(segments)
      if (problem !== undefined) problems.push(`${at}: ${key}: ${path}: ${problem}`)
    }
  }
  return problems
}

/** The sample requests a rule applies to: a CREATE of the valid example, and UPDATEs of the stored one. */
function samples(rule: CelRule): { what: string; request: ReturnType<typeof synthesizeRequest> }[] {
  const out: { what: string; request: ReturnType<typeof synthesizeRequest> }[] = []
  const user = identity('wfe-admission:policy-check', [])
  const request = (object: object, oldObject: object | undefined, subresource: '' | 'status', key: string) =>
    synthesizeRequest({
      object: object as Record<string, unknown>,
      ...(oldObject === undefined ? {} : { oldObject: oldObject as Record<string, unknown> }),
      subresource,
      userInfo: user,
      dryRun: true,
      key,
    })
  for (const op of rule.operations) {
    for (const sub of rule.subresources) {
      if (op === 'CREATE' && sub === '')
        out.push({ what: `${SAMPLE_FILES.created} (CREATE)`, request: request(CREATED, undefined, '', 'c') })
      if (op === 'UPDATE' && sub === '')
        out.push({ what: `${SAMPLE_FILES.relabelled} (UPDATE of ${SAMPLE_FILES.stored})`, request: request(RELABELLED, STORED, '', 'u') })
      if (op === 'UPDATE' && sub === 'status')
        out.push({
          what: `${SAMPLE_FILES.completed} (UPDATE /status of ${SAMPLE_FILES.stored})`,
          request: request(COMPLETED, STORED, 'status', 's'),
        })
    }
  }
  return out
}

function evaluationProblems(rule: CelRule, options: AdmissionOptions): string[] {
  const policy = compilePolicy(options, [rule], [])
  const problems: string[] = []
  for (const { what, request } of samples(rule)) {
    const failed = admit(request, policy, 'validate').violations.find((v) => v.error.type === 'InternalError')
    if (failed !== undefined) problems.push(`${ruleLocation(rule)}: expression: cannot be evaluated on ${what}: ${failed.error.detail}`)
  }
  return problems
}

/** Every problem of every rule (compilation, field paths, one evaluation on the samples); empty when all are sound. */
export function policyProblems(rules: readonly CelRule[], options: AdmissionOptions): string[] {
  const problems: string[] = []
  for (const rule of rules) {
    try {
      compileCelRule(rule)
    } catch (err) {
      problems.push(firstLine(err))
      continue
    }
    const fields = fieldProblems(rule)
    problems.push(...fields)
    // A rule that reads a missing field fails on every object; its evaluation would only say so again.
    if (fields.length === 0) problems.push(...evaluationProblems(rule, options))
  }
  return problems
}
