// compilePolicy(): every rule compiled once, grouped by operation and subresource, so a request
// only looks up its own short list. Nothing is parsed or compiled while a request is served.
import type { Operation } from './admission/types.js'
import { internal, invalid, required, forbidden, type FieldError } from './admission/field.js'
import type { MutateRule, Rule, RuleContext, Severity, Subresource } from './rules/define.js'
import { isCelRule } from './rules/define.js'
import { compileExpression, firstLine, type CelProgram } from './cel/compile.js'
import { celActivation } from './cel/activation.js'
import { fieldSegments, lookupField } from './admission/lookup.js'
import { builtinRules } from './rules/index.js'
import { DEFAULT_ADMISSION_OPTIONS, type AdmissionOptions } from './config.js'
import { WfeError } from './errors.js'

export interface CompiledValidator {
  id: string
  severity: Severity
  run: (ctx: RuleContext) => FieldError[]
  /** The rule's ratcheting on UPDATE (define.ts); `field` rules are skipped when `path` is unchanged. */
  ratchet?: 'never' | 'field'
  /** `field` as segments, split once here rather than per request. */
  path: readonly string[]
}

export interface RuleSet {
  validators: readonly CompiledValidator[]
  mutators: readonly MutateRule[]
  /** The field paths the mutators write (as segments): only the objects along them are copied per request. */
  mutationPaths: readonly (readonly string[])[]
}

export interface CompiledPolicy {
  readonly options: AdmissionOptions
  readonly rules: readonly Rule[]
  /** The rules for one operation on one subresource; an empty set when none apply. */
  select(operation: Operation, subresource: Subresource): RuleSet
}

const EMPTY: RuleSet = Object.freeze({ validators: [], mutators: [], mutationPaths: [] })

export function compilePolicy(
  options: AdmissionOptions = DEFAULT_ADMISSION_OPTIONS,
  extraRules: readonly Rule[] = [],
  rules: readonly Rule[] = builtinRules,
): CompiledPolicy {
  const all = [...rules, ...extraRules]
  const seen = new Set<string>()
  for (const r of all) {
    if (seen.has(r.id)) throw new WfeError('WFE_ERR_RULE_COMPILE', `rule ${r.id}: duplicate rule id`)
    seen.add(r.id)
  }
  const groups = new Map<string, { validators: CompiledValidator[]; mutators: MutateRule[] }>()
  for (const rule of all) {
    const compiled = rule.kind === 'validate' ? compileValidator(rule) : undefined
    for (const op of rule.operations) {
      for (const sub of rule.subresources) {
        const key = `${op}/${sub}`
        let g = groups.get(key)
        if (g === undefined) groups.set(key, (g = { validators: [], mutators: [] }))
        if (compiled !== undefined) g.validators.push(compiled)
        else g.mutators.push(rule as MutateRule)
      }
    }
  }
  const frozen = new Map<string, RuleSet>()
  for (const [k, g] of groups) {
    const paths = Object.freeze(g.mutators.map((m) => Object.freeze(fieldSegments(m.field))))
    frozen.set(k, Object.freeze({ validators: Object.freeze(g.validators), mutators: Object.freeze(g.mutators), mutationPaths: paths }))
  }
  return Object.freeze({
    options,
    rules: Object.freeze(all),
    select: (operation: Operation, subresource: Subresource) => frozen.get(`${operation}/${subresource}`) ?? EMPTY,
  })
}


function compileValidator(rule: Exclude<Rule, MutateRule>): CompiledValidator {
  // A CEL rule that reads oldObject is a transition rule, which the apiserver never ratchets (oldSelf).
  const transition = isCelRule(rule) && /\boldObject\b/.test(`${rule.expression} ${rule.messageExpression ?? ''}`)
  const ratchet = rule.ratchet ?? (transition ? 'never' : undefined)
  const base = { id: rule.id, severity: rule.severity, path: Object.freeze(fieldSegments(rule.field)), ...(ratchet === undefined ? {} : { ratchet }) }
  if (!isCelRule(rule)) return { ...base, run: rule.check }
  const program = compileExpression(rule.id, rule.expression, 'bool')
  const messageProgram = rule.messageExpression === undefined ? undefined : compileExpression(rule.id, rule.messageExpression, 'string')
  const staticMessage = rule.message ?? `failed rule ${rule.id}`
  const reason = rule.reason ?? 'FieldValueInvalid'
  const run = (ctx: RuleContext): FieldError[] => {
    const activation = celActivation(ctx)
    let ok: unknown
    try {
      ok = program(activation)
    } catch (err) {
      return [internal(rule.field, `rule ${rule.id} could not be evaluated: ${firstLine(err)}`, rule.id)]
    }
    if (ok === true) return []
    const detail = messageProgram === undefined ? staticMessage : evaluateMessage(messageProgram, activation, staticMessage)
    return [makeError(reason, rule.field, ctx, detail, rule.id)]
  }
  return { ...base, run }
}

function evaluateMessage(program: CelProgram, activation: ReturnType<typeof celActivation>, fallback: string): string {
  try {
    const m = program(activation)
    return typeof m === 'string' && m !== '' ? m : fallback
  } catch {
    return fallback
  }
}

function makeError(reason: string, field: string, ctx: RuleContext, detail: string, origin: string): FieldError {
  switch (reason) {
    case 'FieldValueRequired':
      return required(field, detail, origin)
    case 'FieldValueForbidden':
      return forbidden(field, detail, origin)
    default:
      return invalid(field, lookupField(ctx.object, field), detail, origin)
  }
}
