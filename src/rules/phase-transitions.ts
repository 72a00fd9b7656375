// A WorkflowExecution's lifecycle only moves forward, and what the controller resolved once (the
// engine, the ServiceAccount) stays resolved: the audit trail and the running PipelineRun/Job
// depend on both. Checked on writes to /status, where the controller records them.
import { defineRule, type CelRule } from '../admission/rule-contract.js'
import { invalid, type FieldError } from '../admission/field.js'
import { Phase, PHASES } from '../api/workflowexecution.js'
import { valueAt } from './field-values.js'

/** '' stands for a phase not yet set. Staying in the same phase is always allowed. */
export const NEXT_PHASES: Readonly<Record<Phase | '', readonly Phase[]>> = {
  '': [Phase.Pending, Phase.Running, Phase.Failed],
  [Phase.Pending]: [Phase.Running, Phase.Failed],
  [Phase.Running]: [Phase.Completed, Phase.Failed],
  [Phase.Completed]: [],
  [Phase.Failed]: [],
}

/** A known phase, '' when unset, undefined when the value cannot be judged (wrong type or not an enum value). */
function knownPhase(v: unknown): Phase | '' | undefined {
  if (v === undefined || v === '') return ''
  return typeof v === 'string' && (PHASES as readonly string[]).includes(v) ? (v as Phase) : undefined
}

export function transitionDetail(from: Phase | '', to: Phase): string {
  const fromText = from === '' ? 'unset' : from
  const next = NEXT_PHASES[from]
  const allowed =
    next.length === 0 ? `${fromText} is terminal: no next phase is allowed` : `allowed next phases from ${fromText}: ${next.join(', ')}`
  return `phase cannot move from ${fromText} to ${to}; ${allowed}`
}

export const phaseTransition = defineRule({
  id: 'phase-transition',
  description:
    'status.phase only moves forward: unset → Pending|Running|Failed, Pending → Running|Failed, Running → Completed|Failed; Completed and Failed are terminal',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['status'],
  field: 'status.phase',
  check: ({ object, oldObject }): FieldError[] => {
    const from = knownPhase(valueAt(oldObject, 'status', 'phase'))
    const rawTo = valueAt(object, 'status', 'phase')
    const to = knownPhase(rawTo)
    // An unjudgeable value is status-phase-enum's or schema-status's; a removal is phase-not-removed's.
    if (from === undefined || to === undefined || to === '' || to === from) return []
    if (NEXT_PHASES[from].includes(to)) return []
    return [invalid('status.phase', rawTo, transitionDetail(from, to))]
  },
})

export const phaseNotRemoved = defineRule({
  id: 'phase-not-removed',
  description: 'status.phase, once set, cannot be removed or emptied',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['status'],
  field: 'status.phase',
  reason: 'FieldValueForbidden',
  message: 'phase cannot be removed once set',
  messageExpression: "'phase cannot be removed once set (was \"' + oldObject.status.phase + '\")'",
  expression: [
    "type(oldObject.?status.?phase.orValue('')) != string || oldObject.?status.?phase.orValue('') == ''",
    "|| (object.?status.?phase.orValue('') != '' && object.?status.?phase.orValue('') != null)",
  ].join(' '),
})

/** A Forbidden CEL rule: once `status.<leaf>` is a non-empty string, it keeps that value. */
function immutableOnceSet<const Id extends string>(id: Id, leaf: string, description: string): CelRule<Id> {
  // Read through optionals everywhere: `false || <missing key>` is an evaluation error in CEL.
  const old = `oldObject.?status.?${leaf}.orValue('')`
  return defineRule({
    id,
    description,
    kind: 'validate',
    severity: 'deny',
    operations: ['UPDATE'],
    subresources: ['status'],
    field: `status.${leaf}`,
    reason: 'FieldValueForbidden',
    message: `${leaf} is immutable once set`,
    messageExpression: `'${leaf} is immutable once set (was "' + ${old} + '")'`,
    expression: `type(${old}) != string || ${old} == '' || object.?status.?${leaf}.orValue('') == ${old}`,
  })
}

export const executionEngineImmutable = immutableOnceSet(
  'execution-engine-immutable',
  'executionEngine',
  'status.executionEngine cannot change or be removed once set (resolved once from the workflow catalog during Pending)',
)

export const serviceAccountNameImmutable = immutableOnceSet(
  'service-account-name-immutable',
  'serviceAccountName',
  'status.serviceAccountName cannot change or be removed once set (resolved once from the workflow catalog during Pending)',
)

export const phaseTransitionRules = [phaseTransition, phaseNotRemoved, executionEngineImmutable, serviceAccountNameImmutable]
