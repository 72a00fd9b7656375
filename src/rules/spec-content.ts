// What a new WorkflowExecution's spec must say, beyond its types: the references it executes are
// filled in, the LLM confidence is a probability, the timeout a positive Go duration, and the
// parameter names usable as Tekton params. CREATE only: on UPDATE, spec-immutable keeps them.
import { defineRule, type CheckRule } from '../admission/rule-contract.js'
import { FieldPath, invalid, required, type FieldError } from '../admission/field.js'
import { durationProblem } from '../api/duration.js'
import { MAX_ERRORS_PER_RULE, present, valueAt, recordAt } from './field-values.js'
import { CRD_OPEN_API_SCHEMA } from '../api/crd-schema.generated.js'

export const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
export const UPPER_SNAKE_CASE = /^[A-Z_][A-Z0-9_]*$/

/**
 * Required non-empty strings. A string of only spaces is empty too: no catalog id or version is
 * blank. A missing workflowRef leaf is the schema's Required error (the CRD requires those); a
 * missing remediationRequestRef.name is reported here, since ObjectReference leaves are optional
 * in the schema. A value of another type, or a spec or parent of the wrong type, is left to
 * schema-spec. A typed check rather than CEL for cost alone: four of these run on every CREATE, and
 * each cost ~1.3 µs in cel-js against ~0.05 µs here (docs/performance.md).
 */
function requiredString<const Id extends string>(
  id: Id,
  parent: string,
  leaf: string,
  missingIsError: boolean,
  description: string,
): CheckRule<Id> {
  const field = `spec.${parent}.${leaf}`
  return {
    id,
    description,
    kind: 'validate',
    severity: 'deny',
    operations: ['CREATE'],
    subresources: [''],
    field,
    check: ({ object }) => {
      const holder = recordAt(object, 'spec', parent)
      if (holder === undefined) return []
      // Missing and null both count as absent; the apiserver prunes a null of a non-nullable field.
      const v = present(holder, leaf)
      const empty = v === undefined ? missingIsError : typeof v === 'string' && v.trim() === ''
      return empty ? [required(field, 'must not be empty')] : []
    },
  }
}

export const remediationRequestNameRequired = requiredString(
  'remediation-request-name-required',
  'remediationRequestRef',
  'name',
  true,
  'spec.remediationRequestRef.name names the parent RemediationRequest and must be a non-empty string',
)
export const workflowIdRequired = requiredString(
  'workflow-id-required',
  'workflowRef',
  'workflowId',
  false,
  'spec.workflowRef.workflowId, the catalog lookup key, must not be empty',
)
export const workflowVersionRequired = requiredString(
  'workflow-version-required',
  'workflowRef',
  'version',
  false,
  'spec.workflowRef.version must not be empty',
)
export const executionBundleRequired = requiredString(
  'execution-bundle-required',
  'workflowRef',
  'executionBundle',
  false,
  'spec.workflowRef.executionBundle, the OCI bundle to run, must not be empty',
)

/** spec.confidence's bounds, as the CRD declares them. */
const CONFIDENCE = CRD_OPEN_API_SCHEMA.properties.spec.properties.confidence
/** A CEL double literal: cel-js reads every JSON number as a double, so an integer 1 compares as 1.0. */
const celDouble = (n: number): string => (Number.isInteger(n) ? `${n}.0` : String(n))
const confidence = `object.?spec.?confidence.orValue(${celDouble(CONFIDENCE.minimum)})`

export const confidenceRange = defineRule({
  id: 'confidence-range',
  description: `spec.confidence, when set, is within [${CONFIDENCE.minimum}, ${CONFIDENCE.maximum}] (integer ${CONFIDENCE.minimum} and ${CONFIDENCE.maximum} included)`,
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE'],
  subresources: [''],
  field: 'spec.confidence',
  message: `must be between ${CONFIDENCE.minimum} and ${CONFIDENCE.maximum} inclusive`,
  expression: [
    `type(${confidence}) != double`,
    `|| (${confidence} >= ${celDouble(CONFIDENCE.minimum)} && ${confidence} <= ${celDouble(CONFIDENCE.maximum)})`,
  ].join(' '),
})

export const executionTimeoutValid = defineRule({
  id: 'execution-timeout-valid',
  description: 'spec.executionConfig.timeout, when set, is a Go duration (90s, 30m, 1h30m) greater than zero',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE'],
  subresources: [''],
  field: 'spec.executionConfig.timeout',
  check: ({ object }) => {
    const timeout = valueAt(object, 'spec', 'executionConfig', 'timeout')
    if (typeof timeout !== 'string') return []
    const field = 'spec.executionConfig.timeout'
    const detail = durationProblem(timeout, true)
    return detail === undefined ? [] : [invalid(field, timeout, detail)]
  },
})

function parameterKeys(object: unknown): string[] {
  return Object.keys(recordAt(object, 'spec', 'parameters') ?? {})
}

function perKey(object: unknown, bad: (key: string) => boolean, detail: string): FieldError[] {
  const out: FieldError[] = []
  const path = FieldPath.root('spec', 'parameters')
  for (const key of parameterKeys(object)) {
    if (!bad(key)) continue
    out.push(invalid(path.key(key), key, detail))
    if (out.length >= MAX_ERRORS_PER_RULE) break
  }
  return out
}

export const parameterNameValid = defineRule({
  id: 'parameter-name-valid',
  description: 'every spec.parameters key is a parameter name: a letter or underscore, then letters, digits or underscores',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE'],
  subresources: [''],
  field: 'spec.parameters',
  check: ({ object }) => perKey(object, (k) => !PARAMETER_NAME.test(k), `must match ${PARAMETER_NAME.source}`),
})

export const parameterNameUpperSnake = defineRule({
  id: 'parameter-name-upper-snake',
  description: 'warns when a valid spec.parameters key is not UPPER_SNAKE_CASE (Tekton convention; Ansible workflows use lowercase)',
  kind: 'validate',
  severity: 'warn',
  operations: ['CREATE'],
  subresources: [''],
  field: 'spec.parameters',
  // Invalid names are already denied by parameter-name-valid; warning about them too is noise.
  check: ({ object }) =>
    perKey(
      object,
      (k) => PARAMETER_NAME.test(k) && !UPPER_SNAKE_CASE.test(k),
      'parameter names are UPPER_SNAKE_CASE by convention (Tekton params); fine for Ansible workflows, which use lowercase',
    ),
})

export const specContentRules = [
  remediationRequestNameRequired,
  workflowIdRequired,
  workflowVersionRequired,
  executionBundleRequired,
  confidenceRange,
  executionTimeoutValid,
  parameterNameValid,
  parameterNameUpperSnake,
]
