// metav1.Condition as the apiserver validates status.conditions[]: the schema controller-gen
// generates from metav1.Condition's own markers (k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
// The constraints are read from the CRD's generated schema (manifests/crd is their one source), so
// in a cluster the apiserver refuses these before the validating webhook runs; this rule gives
// `check` in CI the same verdict. Required fields and JSON types are schema-status's; the status
// enum is condition-status-enum's. Messages follow the apiserver's OpenAPI validation errors.
import { defineRule } from '../admission/rule-contract.js'
import { FieldPath, invalid, tooLong, type FieldError } from '../admission/field.js'
import { MAX_ERRORS_PER_RULE, present, valueAt } from './field-values.js'
import { isRecord } from '../api/json.js'
import { CRD_OPEN_API_SCHEMA } from '../api/crd-schema.generated.js'

/** metav1.Condition's constraints, field by field, as the CRD declares them (its generated schema). */
export const CONDITION_CONSTRAINTS = CRD_OPEN_API_SCHEMA.properties.status.properties.conditions.items.properties
const { type: TYPE, reason: REASON, message: MESSAGE, observedGeneration: GENERATION } = CONDITION_CONSTRAINTS

const TYPE_PATTERN = new RegExp(TYPE.pattern)
const REASON_PATTERN = new RegExp(REASON.pattern)

/**
 * The name the apiserver's OpenAPI validator gives a field in its detail ("… in body should …"): the
 * path inside status, since a /status write is validated against the status schema (seen against
 * kube-apiserver 1.37: `status.conditions[0].reason: Invalid value: "x": conditions[0].reason in body
 * should match '…'`).
 */
function inBody(path: FieldPath): string {
  return path.toString().replace(/^status\./, '')
}

/** OpenAPI string constraints on one field; a too-long value is not also matched (nor echoed). */
function checkString(
  value: unknown,
  path: FieldPath,
  c: { maxLength: number; minLength?: number; pattern?: string },
  re: RegExp | undefined,
  out: FieldError[],
): void {
  if (typeof value !== 'string') return
  // The apiserver counts characters (runes); a JS string counts UTF-16 units.
  const length = [...value].length
  if (length > c.maxLength) {
    out.push(tooLong(path, c.maxLength))
    return
  }
  if (c.minLength !== undefined && length < c.minLength) {
    out.push(invalid(path, value, `${inBody(path)} in body should be at least ${c.minLength} chars long`))
    return
  }
  if (re !== undefined && !re.test(value)) out.push(invalid(path, value, `${inBody(path)} in body should match '${c.pattern}'`))
}

export const conditionSchema = defineRule({
  id: 'condition-schema',
  description: `each status.conditions[i] meets metav1.Condition's schema: type a qualified name of at most ${TYPE.maxLength} characters, reason a CamelCase identifier of ${REASON.minLength} to ${REASON.maxLength}, message at most ${MESSAGE.maxLength}, observedGeneration at least ${GENERATION.minimum}`,
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['status'],
  field: 'status.conditions',
  // Schema errors on an unchanged list are ratcheted by the apiserver too (KEP-4008).
  ratchet: 'field',
  check: ({ object }): FieldError[] => {
    const conditions = valueAt(object, 'status', 'conditions')
    if (!Array.isArray(conditions)) return []
    const out: FieldError[] = []
    const root = FieldPath.root('status', 'conditions')
    for (let i = 0; i < conditions.length && out.length < MAX_ERRORS_PER_RULE; i++) {
      const c: unknown = conditions[i]
      if (!isRecord(c)) continue
      const at = root.index(i)
      checkString(present(c, 'type'), at.child('type'), TYPE, TYPE_PATTERN, out)
      checkString(present(c, 'reason'), at.child('reason'), REASON, REASON_PATTERN, out)
      checkString(present(c, 'message'), at.child('message'), MESSAGE, undefined, out)
      const generation = present(c, 'observedGeneration')
      if (typeof generation === 'number' && generation < GENERATION.minimum) {
        const path = at.child('observedGeneration')
        out.push(invalid(path, generation, `${inBody(path)} in body should be greater than or equal to ${GENERATION.minimum}`))
      }
    }
    return out.slice(0, MAX_ERRORS_PER_RULE)
  },
})

export const conditionRules = [conditionSchema]
