// Every built-in rule, in the order they run. One family per file; a newcomer finds a rule by the
// file named for what it checks. Mutations run before validations regardless of position here.
import type { Rule } from './define.js'
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

export const builtinRules: readonly Rule[] = Object.freeze([
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
])
