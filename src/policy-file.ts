// `--policy FILE`: operators' own CEL rules, in the shape of the built-in ones. Their shape is
// checked here; their ids and expressions by compilePolicy() like every rule's, and each rule
// carries its file and index so those errors too stop start-up naming the file, rule and field.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { isSeq, LineCounter, parseDocument, type Node } from 'yaml'
import type { CelRule, Rule, Severity, Subresource } from './admission/rule-contract.js'
import type { Operation } from './admission/types.js'
import type { FieldErrorType } from './admission/field.js'
import { WfeError } from './errors.js'
import { isRecord } from './api/json.js'

const RULE_KEYS = [
  'id',
  'description',
  'operations',
  'subresource',
  'expression',
  'message',
  'messageExpression',
  'fieldPath',
  'severity',
  'reason',
] as const
/** DELETE and CONNECT carry no object for a rule to judge. */
const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE']
const SUBRESOURCES: readonly Subresource[] = ['', 'status']
const SEVERITIES: readonly Severity[] = ['deny', 'warn']
/** The error types compilePolicy can build for a CEL rule. */
const REASONS: readonly FieldErrorType[] = ['FieldValueInvalid', 'FieldValueRequired', 'FieldValueForbidden']
const ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]+\])*$/
const MAX_MESSAGE = 1024

/** Reads a policy file and checks its shape; throws WFE_ERR_POLICY_FILE naming every problem. */
export function loadPolicyFile(path: string, cwd: string = process.cwd()): Rule[] {
  const { rules, problems } = readPolicyFile(path, cwd)
  if (problems.length > 0) throw new WfeError('WFE_ERR_POLICY_FILE', problems.join('\n'))
  return rules
}

/** The well-formed rules of a policy file and a line for each problem of the others. */
export function readPolicyFile(path: string, cwd: string = process.cwd()): { rules: CelRule[]; problems: string[] } {
  let text: string
  try {
    // Read relative to the command's directory; errors name the file as the user wrote it.
    text = readFileSync(resolve(cwd, path), 'utf8')
  } catch (err) {
    return { rules: [], problems: [`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] }
  }
  try {
    return policyRules(path, text)
  } catch (err) {
    if (!(err instanceof WfeError)) throw err
    return { rules: [], problems: [err.message] }
  }
}

/** The same, from text already read; `path` only names the source in errors. */
export function parsePolicy(path: string, text: string): Rule[] {
  const { rules, problems } = policyRules(path, text)
  if (problems.length > 0) throw new WfeError('WFE_ERR_POLICY_FILE', problems.join('\n'))
  return rules
}

/** Throws only when the file as a whole is unusable (invalid YAML, no rule list). */
function policyRules(path: string, text: string): { rules: CelRule[]; problems: string[] } {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const yamlError = doc.errors[0]
  if (yamlError !== undefined) {
    const line = yamlError.pos[0] === undefined ? '' : `:${lines.linePos(yamlError.pos[0]).line}`
    throw new WfeError('WFE_ERR_POLICY_FILE', `${path}${line}: invalid YAML: ${yamlError.message.split('\n')[0]}`)
  }
  const root: unknown = doc.toJS()
  const list = Array.isArray(root) ? root : isRecord(root) ? root['rules'] : undefined
  if (!Array.isArray(list)) {
    throw new WfeError('WFE_ERR_POLICY_FILE', `${path}: must hold a list of rules under "rules:" (or a bare list)`)
  }
  if (isRecord(root)) {
    const extra = Object.keys(root).filter((k) => k !== 'rules' && k !== 'apiVersion' && k !== 'kind')
    if (extra.length > 0) throw new WfeError('WFE_ERR_POLICY_FILE', `${path}: unknown top-level field "${extra[0]}"; expected "rules"`)
  }
  // Every rule's problem at once, each at its line: one run shows the whole file's fixes.
  const items = isRecord(root) ? doc.get('rules', true) : doc.contents
  const nodes = isSeq(items) ? items.items : []
  const rules: CelRule[] = []
  const problems: string[] = []
  list.forEach((raw, i) => {
    const start = (nodes[i] as Node | undefined)?.range?.[0]
    const line = start === undefined ? undefined : lines.linePos(start).line
    try {
      rules.push(toRule(path, i, raw, line))
    } catch (err) {
      if (!(err instanceof WfeError)) throw err
      problems.push(err.message)
    }
  })
  return { rules, problems }
}

function fail(path: string, index: number, line: number | undefined, id: string | undefined, field: string, problem: string): never {
  const who = id === undefined ? `rules[${index}]` : `rule "${id}" (rules[${index}])`
  throw new WfeError('WFE_ERR_POLICY_FILE', `${path}${line === undefined ? '' : `:${line}`}: ${who}: ${field}: ${problem}`)
}

function toRule(path: string, i: number, raw: unknown, line: number | undefined): CelRule {
  if (!isRecord(raw))
    fail(path, i, line, undefined, 'rule', 'must be a mapping with id, operations, expression, message, fieldPath and severity')
  const idRaw = raw['id']
  const id = typeof idRaw === 'string' && idRaw !== '' ? idRaw : undefined
  const bad = (field: string, problem: string): never => fail(path, i, line, id, field, problem)
  if (id === undefined) bad('id', 'required: a non-empty string')
  if (!ID.test(id as string) || (id as string).length > 63)
    bad('id', `"${String(idRaw)}" must be kebab-case (a-z, 0-9, -), at most 63 characters`)
  for (const k of Object.keys(raw)) {
    if (!(RULE_KEYS as readonly string[]).includes(k)) bad(k, `unknown field; allowed: ${RULE_KEYS.join(', ')}`)
  }
  const string = (field: string, optional: boolean, max = MAX_MESSAGE): string | undefined => {
    const v = raw[field]
    if (v === undefined || v === null) return optional ? undefined : bad(field, 'required')
    if (typeof v !== 'string' || v.trim() === '') return bad(field, 'must be a non-empty string')
    if (v.length > max) return bad(field, `is ${v.length} characters, more than the ${max} allowed`)
    return v
  }
  const expression = string('expression', false, Number.MAX_SAFE_INTEGER) as string
  const message = string('message', true)
  const messageExpression = string('messageExpression', true, Number.MAX_SAFE_INTEGER)
  if (message === undefined && messageExpression === undefined)
    bad('message', 'required: give message or messageExpression (or both: message is the fallback)')
  const fieldPath = string('fieldPath', false, 256) as string
  if (!FIELD_PATH.test(fieldPath))
    bad('fieldPath', `"${fieldPath}" must be a Kubernetes field path such as spec.workflowRef.executionBundle or metadata.labels[app]`)
  const severity = raw['severity']
  if (!SEVERITIES.includes(severity as Severity))
    bad('severity', `must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(severity) ?? 'nothing'}`)
  const reason = raw['reason']
  if (reason !== undefined && !REASONS.includes(reason as FieldErrorType))
    bad('reason', `must be one of ${REASONS.join(', ')}, got ${JSON.stringify(reason)}`)
  const operations = oneOrMany(raw['operations'], false)
  if (operations.length === 0 || !operations.every((o) => OPERATIONS.includes(o as Operation))) {
    bad('operations', `must be a non-empty list of ${OPERATIONS.join(', ')}, got ${JSON.stringify(raw['operations']) ?? 'nothing'}`)
  }
  const subresources = raw['subresource'] === undefined || raw['subresource'] === null ? [''] : oneOrMany(raw['subresource'], true)
  if (subresources.length === 0 || !subresources.every((s) => SUBRESOURCES.includes(s as Subresource))) {
    bad('subresource', `must be '' (the main resource) or 'status', or a list of them, got ${JSON.stringify(raw['subresource'])}`)
  }
  const rule: CelRule = {
    id: id as string,
    description: string('description', true) ?? message ?? `user rule ${String(id)}`,
    kind: 'validate',
    severity: severity as Severity,
    operations: [...new Set(operations)] as Operation[],
    subresources: [...new Set(subresources)] as Subresource[],
    field: fieldPath,
    expression,
    source: line === undefined ? { file: path, index: i } : { file: path, index: i, line },
  }
  if (message !== undefined) rule.message = message
  if (messageExpression !== undefined) rule.messageExpression = messageExpression
  if (reason !== undefined) rule.reason = reason as FieldErrorType
  return rule
}

/** A scalar or a list of scalars, as strings; anything else yields a value that fails the check. */
function oneOrMany(v: unknown, allowEmptyString: boolean): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]
  return list.map((x) => (typeof x === 'string' && (allowEmptyString || x !== '') ? x : `\u0000${String(x)}`))
}
