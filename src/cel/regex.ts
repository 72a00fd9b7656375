// `matches()` for rules, on RE2 semantics as the CEL spec defines them. re2js runs in linear time,
// so with constant, short patterns and a bounded input no rule can stall a review by backtracking.
import { RE2JS } from 're2js'

/** Longest pattern a rule may pass to matches(); patterns are checked when the rule compiles. */
export const MAX_REGEX_PATTERN_LENGTH = 256

/**
 * Longest string matches() will look at. Past it the call throws, the rule reports an internal
 * error and a deny rule denies: fail closed rather than spend unbounded time on one review.
 * 4096 covers every WorkflowExecution string field except free-form annotations and messages.
 */
export const MAX_REGEX_INPUT_LENGTH = 4096

// Patterns are string literals checked at compile time, so this cache is bounded by the policy.
const compiled = new Map<string, RE2JS>()

/** Compiles `pattern` as RE2; throws a one-line error naming what is wrong with it. */
export function compilePattern(pattern: string): RE2JS {
  let re = compiled.get(pattern)
  if (re !== undefined) return re
  if (pattern.length > MAX_REGEX_PATTERN_LENGTH) {
    throw new Error(`matches(): pattern is ${pattern.length} characters, more than the ${MAX_REGEX_PATTERN_LENGTH} allowed`)
  }
  try {
    re = RE2JS.compile(pattern)
  } catch (err) {
    throw new Error(`matches(): invalid RE2 pattern ${JSON.stringify(pattern)}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    })
  }
  compiled.set(pattern, re)
  return re
}

/** The implementation behind every matches() call a rule makes (see guard.ts). */
export function boundedMatches(input: string, pattern: string): boolean {
  if (input.length > MAX_REGEX_INPUT_LENGTH) {
    throw new Error(`matches(): input is ${input.length} characters, more than the ${MAX_REGEX_INPUT_LENGTH} a pattern may be run on`)
  }
  return compilePattern(pattern).matcher(input).find()
}
