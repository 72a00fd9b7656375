// Every built-in rule, in the order they run. One family per file; a newcomer finds a rule by the
// file named for what it checks. Mutations run before validations regardless of position here.
import type { Rule } from '../admission/rule-contract.js'
import { schemaRules } from './schema.js'
import { metadataRules } from './metadata.js'
import { specImmutableRules } from './spec-immutable.js'
import { specContentRules } from './spec-content.js'
import { targetResourceRules } from './target-resource.js'
import { statusEnumRules } from './status-enums.js'
import { conditionRules } from './conditions.js'
import { statusDurationRules } from './status-durations.js'
import { phaseTransitionRules } from './phase-transitions.js'
import { executionTimeoutRules } from './execution-timeout.js'
import { blockClearanceRules } from './block-clearance.js'
import { clearanceAnnotationRules } from './clearance-annotations.js'
import { clearanceLiftingRules } from './clearance-lifting.js'
import { clearAnnotationNearMiss } from './clearance-near-miss.js'
import { targetBlockRules } from './target-block.js'

const BUILTIN_RULES = [
  ...schemaRules,
  ...metadataRules,
  ...specImmutableRules,
  ...specContentRules,
  ...targetResourceRules,
  ...statusEnumRules,
  ...conditionRules,
  ...statusDurationRules,
  ...phaseTransitionRules,
  ...executionTimeoutRules,
  ...blockClearanceRules,
  ...clearanceAnnotationRules,
  ...clearanceLiftingRules,
  clearAnnotationNearMiss,
  ...targetBlockRules,
] as const

/**
 * Every built-in rule's id, from the table above: a new rule adds its id here by being listed, and a
 * mistyped id anywhere a RuleId is expected fails the type check.
 */
export type RuleId = (typeof BUILTIN_RULES)[number]['id']

export const builtinRules: readonly Rule[] = Object.freeze(BUILTIN_RULES)
