// Rule expression → compiled program, once at start-up; failures name the rule id.
import type { Environment } from '@marcbachmann/cel-js'
import { celEnvironment, MAX_EXPRESSION_LENGTH, type CelActivation } from './environment.js'
import { WfeError } from '../errors.js'
import { BOUNDED_MATCHES, comprehensionNesting, MAX_COMPREHENSION_NESTING, regexCalls, rewriteRegexCalls } from './guard.js'

export type CelProgram = (activation: CelActivation) => unknown

let shared: Environment | undefined

function env(): Environment {
  shared ??= celEnvironment()
  return shared
}

/**
 * Parses and type-checks `expression`; `want` is the CEL type it must produce (`bool` for a rule,
 * `string` for a messageExpression). Throws WFE_ERR_RULE_COMPILE naming the rule on any failure.
 */
export function compileExpression(ruleId: string, expression: string, want: 'bool' | 'string'): CelProgram {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new WfeError(
      'WFE_ERR_RULE_COMPILE',
      `rule ${ruleId}: expression is ${expression.length} characters, more than the ${MAX_EXPRESSION_LENGTH} allowed`,
    )
  }
  let program
  try {
    program = env().parse(expression)
  } catch (err) {
    throw new WfeError('WFE_ERR_RULE_COMPILE', `rule ${ruleId}: ${firstLine(err)}`, { cause: err })
  }
  const nesting = comprehensionNesting(program.ast)
  if (nesting > MAX_COMPREHENSION_NESTING) {
    throw new WfeError(
      'WFE_ERR_RULE_COMPILE',
      `rule ${ruleId}: comprehensions (all, exists, exists_one, map, filter) are nested ${nesting} deep; at most ${MAX_COMPREHENSION_NESTING} is allowed, so a rule's cost stays linear in the object's size`,
    )
  }
  const checked = program.check()
  if (!checked.valid) {
    throw new WfeError('WFE_ERR_RULE_COMPILE', `rule ${ruleId}: ${firstLine(checked.error)}`)
  }
  if (checked.type !== want && checked.type !== 'dyn') {
    throw new WfeError('WFE_ERR_RULE_COMPILE', `rule ${ruleId}: expression must evaluate to ${want}, not ${checked.type}`)
  }
  return guardRegexCalls(ruleId, expression, program)
}

/** Re-points matches() at the bounded implementation; the rewrite is re-parsed and verified. */
function guardRegexCalls(ruleId: string, expression: string, program: ReturnType<Environment['parse']>): CelProgram {
  let calls
  try {
    calls = regexCalls(program.ast)
  } catch (err) {
    throw new WfeError('WFE_ERR_RULE_COMPILE', `rule ${ruleId}: ${firstLine(err)}`)
  }
  if (calls.every((c) => c.name === BOUNDED_MATCHES)) return program
  const guarded = env().parse(rewriteRegexCalls(expression, calls))
  const again = regexCalls(guarded.ast)
  if (!guarded.check().valid || again.length !== calls.length || again.some((c) => c.name !== BOUNDED_MATCHES)) {
    throw new WfeError(
      'WFE_ERR_RULE_COMPILE',
      `rule ${ruleId}: could not bound its matches() calls; write them as STRING.matches("pattern")`,
    )
  }
  return guarded
}

/** cel-js errors end in a multi-line source excerpt; a message keeps the first line. */
export function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return msg.split('\n')[0] ?? msg
}
