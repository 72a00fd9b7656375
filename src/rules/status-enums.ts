// Every enum the CRD declares on status, checked on writes to /status (the only writes whose status
// the apiserver keeps when the status subresource is on). Typed checks rather than CEL: an enum
// error is `Unsupported value` listing the supported values, a type CEL rules cannot report, and
// conditions need one error per item. A value of the wrong JSON type is schema-status's to report.
//
// Only fields with an enum in the CRD (a `+kubebuilder:validation:Enum` marker, and metav1.Condition's
// own markers) deny; their values and the descriptions naming them come from the CRD's generated
// schema (src/api/workflowexecution.ts reads it), so a new enum value needs no edit here. executionEngine and executionStatus.status carry no marker: the controller copies
// them from the workflow catalog and the execution resource, and an engine outside the known list is
// exactly what FailureReason UnsupportedEngine reports, so refusing that write would leave the
// execution stuck in Pending. Those two only warn.
import { defineRule, type CheckRule } from '../admission/rule-contract.js'
import { FieldPath, notSupported, type FieldError } from '../admission/field.js'
import { CLEAR_METHODS, CONDITION_STATUSES, EXECUTION_ENGINES, FAILURE_REASONS, PHASES } from '../api/workflowexecution.js'
import { MAX_ERRORS_PER_RULE, present, recordAt } from './field-values.js'
import { isRecord } from '../api/json.js'

interface EnumField {
  id: string
  description: string
  /** Path under status: a parent object (or none) and the enum-valued leaf. */
  parent?: 'failureDetails' | 'blockClearance' | 'executionStatus'
  leaf: string
  values: readonly string[]
  /** deny for an enum the CRD declares; warn for values the API documents only in a comment. */
  severity: 'deny' | 'warn'
}

/** `a, b or c`: the values as a description lists them. */
function either(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`
}

/** One row per single-valued enum; the rule is generated from the row. */
export const STATUS_ENUMS = [
  {
    id: 'status-phase-enum',
    description: `status.phase is ${either(PHASES)}`,
    leaf: 'phase',
    values: PHASES,
    severity: 'deny',
  },
  {
    id: 'failure-reason-enum',
    description: `status.failureDetails.reason is ${either(FAILURE_REASONS)}`,
    parent: 'failureDetails',
    leaf: 'reason',
    values: FAILURE_REASONS,
    severity: 'deny',
  },
  {
    id: 'clear-method-enum',
    description: `status.blockClearance.clearMethod is ${either(CLEAR_METHODS)}`,
    parent: 'blockClearance',
    leaf: 'clearMethod',
    values: CLEAR_METHODS,
    severity: 'deny',
  },
  {
    id: 'execution-status-known',
    description: `warns when status.executionStatus.status is not ${either(CONDITION_STATUSES)} (the CRD declares no enum: the value is mirrored from the execution resource)`,
    parent: 'executionStatus',
    leaf: 'status',
    values: CONDITION_STATUSES,
    severity: 'warn',
  },
  {
    id: 'execution-engine-known',
    description: `warns when status.executionEngine is not ${either(EXECUTION_ENGINES)} (the CRD declares no enum: an unknown engine ends in FailureReason UnsupportedEngine)`,
    leaf: 'executionEngine',
    values: EXECUTION_ENGINES,
    severity: 'warn',
  },
] as const satisfies readonly EnumField[]

function enumRule<const E extends EnumField>(e: E): CheckRule<E['id']> {
  const field = e.parent === undefined ? `status.${e.leaf}` : `status.${e.parent}.${e.leaf}`
  return defineRule({
    id: e.id,
    description: e.description,
    kind: 'validate',
    severity: e.severity,
    operations: ['UPDATE'],
    subresources: ['status'],
    field,
    ratchet: 'field',
    check: ({ object }): FieldError[] => {
      const status = recordAt(object, 'status')
      if (status === undefined) return []
      const holder = e.parent === undefined ? status : present(status, e.parent)
      if (!isRecord(holder)) return []
      const value = present(holder, e.leaf)
      // The apiserver's enum check rejects "" too: omitempty means the controller never sends it.
      if (typeof value !== 'string' || e.values.includes(value)) return []
      if (e.severity === 'warn' && value === '') return []
      return [notSupported(field, value, e.values)]
    },
  })
}

export const conditionStatusEnum = defineRule({
  id: 'condition-status-enum',
  description: `each status.conditions[i].status is ${either(CONDITION_STATUSES)}`,
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['status'],
  field: 'status.conditions',
  ratchet: 'field',
  check: ({ object }): FieldError[] => {
    const conditions = recordAt(object, 'status')?.['conditions']
    if (!Array.isArray(conditions)) return []
    const out: FieldError[] = []
    const path = FieldPath.root('status', 'conditions')
    for (let i = 0; i < conditions.length && out.length < MAX_ERRORS_PER_RULE; i++) {
      const c: unknown = conditions[i]
      const value = isRecord(c) ? present(c, 'status') : undefined
      if (typeof value === 'string' && !(CONDITION_STATUSES as readonly string[]).includes(value)) {
        out.push(notSupported(path.index(i).child('status'), value, CONDITION_STATUSES))
      }
    }
    return out
  },
})

export const statusEnumRules = [...STATUS_ENUMS.map(enumRule), conditionStatusEnum]
