// The one CEL environment: the variables every rule sees and our functions, registered once and
// then frozen by cloning (cel-js stops a parent from registering more once it has been cloned).
import { Environment } from '@marcbachmann/cel-js'
import { boundedMatches } from './regex.js'
import { BOUNDED_MATCHES } from './guard.js'

/** Parse-time bounds; a user rule over them is rejected at start-up, never evaluated. */
export const CEL_LIMITS = {
  maxAstNodes: 400,
  maxDepth: 24,
  maxListElements: 64,
  maxMapEntries: 64,
  maxCallArguments: 8,
} as const

/** Longest expression text accepted from a policy file. */
export const MAX_EXPRESSION_LENGTH = 4096

/** Variables bound for every rule; `oldObject` is null on CREATE. */
export const CEL_VARIABLES = ['object', 'oldObject', 'request', 'userInfo'] as const
export type CelActivation = Record<(typeof CEL_VARIABLES)[number], unknown>

function buildBase(): Environment {
  const env = new Environment({ enableOptionalTypes: true, limits: CEL_LIMITS })
  for (const name of CEL_VARIABLES) env.registerVariable(name, 'dyn')
  // Every `matches` in a rule is compiled to this (guard.ts): RE2, linear time, bounded input.
  env.registerFunction(`string.${BOUNDED_MATCHES}(string): bool`, (input: string, pattern: string) => boundedMatches(input, pattern))
  return env
}

const base = buildBase()

/** A fresh, extensible child of the frozen base environment. */
export function celEnvironment(): Environment {
  return base.clone()
}
