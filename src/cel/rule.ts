// A CEL rule compiled into a validator: the expression and its messageExpression compiled once,
// and evaluated per request into field errors stamped with the rule's id.
import { internal, invalid, required, forbidden, type FieldError } from '../admission/field.js'
import { lookupField } from '../admission/lookup.js'
import type { CelRule, RuleContext } from '../admission/rule-contract.js'
import { WfeError } from '../errors.js'
import { compileExpression, firstLine, type CelProgram } from './compile.js'
import { celActivation } from './activation.js'

/** Where a rule was written, as errors name it: `p.yaml:4: rule "x" (rules[0])`, or `rule x` for a built-in. */
export function ruleLocation(rule: Pick<CelRule, 'id' | 'source'>): string {
  if (rule.source === undefined) return `rule ${rule.id}`
  const line = rule.source.line === undefined ? '' : `:${rule.source.line}`
  return `${rule.source.file}${line}: rule "${rule.id}" (rules[${rule.source.index}])`
}

/**
 * Throws WFE_ERR_RULE_COMPILE naming the rule; for a rule from a policy file, WFE_ERR_POLICY_FILE
 * naming the file, the rule and the field (`expression` or `messageExpression`).
 */
function compileField(rule: CelRule, field: 'expression' | 'messageExpression', text: string, want: 'bool' | 'string'): CelProgram {
  try {
    return compileExpression(rule.id, text, want)
  } catch (err) {
    if (rule.source === undefined) throw err
    const msg = err instanceof Error ? err.message.replace(`rule ${rule.id}: `, '') : String(err)
    throw new WfeError('WFE_ERR_POLICY_FILE', `${ruleLocation(rule)}: ${field}: CEL: ${msg}`, { cause: err })
  }
}

/** The rule's expressions compiled once; the returned function evaluates them for one request. */
export function compileCelRule(rule: CelRule): (ctx: RuleContext) => FieldError[] {
  const program = compileField(rule, 'expression', rule.expression, 'bool')
  const messageProgram =
    rule.messageExpression === undefined ? undefined : compileField(rule, 'messageExpression', rule.messageExpression, 'string')
  const staticMessage = rule.message ?? `failed rule ${rule.id}`
  const reason = rule.reason ?? 'FieldValueInvalid'
  const run = (ctx: RuleContext): FieldError[] => {
    const activation = celActivation(ctx)
    let ok: unknown
    try {
      ok = program(activation)
    } catch (err) {
      return [internal(rule.field, `rule ${rule.id} could not be evaluated: ${firstLine(err)}`)]
    }
    if (ok === true) return []
    const detail = messageProgram === undefined ? staticMessage : evaluateMessage(messageProgram, activation, staticMessage)
    return [makeError(reason, rule.field, ctx, detail)]
  }
  return run
}

function evaluateMessage(program: CelProgram, activation: ReturnType<typeof celActivation>, fallback: string): string {
  try {
    const m = program(activation)
    return typeof m === 'string' && m !== '' ? m : fallback
  } catch {
    return fallback
  }
}

function makeError(reason: string, field: string, ctx: RuleContext, detail: string): FieldError {
  switch (reason) {
    case 'FieldValueRequired':
      return required(field, detail)
    case 'FieldValueForbidden':
      return forbidden(field, detail)
    default:
      return invalid(field, lookupField(ctx.object, field), detail)
  }
}
