// The public library API: the pure core and its types. Importing it has no side effects.
export { admit, type AdmitResult } from './admission/admit.js'
export { compilePolicy } from './policy.js'
export { decodeReview, encodeReview, MAX_REVIEW_BYTES } from './admission/review.js'
export { builtinRules } from './rules/index.js'
export { defineRule, type CompiledPolicy, type Rule, type RuleContext } from './admission/rule-contract.js'
export { DEFAULT_ADMISSION_OPTIONS, type AdmissionOptions } from './config.js'
export * from './admission/types.js'
export * from './api/workflowexecution.js'
