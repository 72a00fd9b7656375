// The ways a block could be lifted without a clearance, closed. The orchestrator blocks a target
// while an execution has phase Failed, failureDetails set and wasExecutionFailure true, so flipping
// or removing failureDetails, or deleting the execution, would lift the block with nobody on record.
// After Failed, failureDetails is frozen (the controller writes it with the Failed phase), and a
// blocked execution can be deleted only once cleared, or by the control plane's cascades.
import { forbidden, renderValue, type FieldError } from '../admission/field.js'
import { ANNOTATION_CLEAR, ANNOTATION_CLEAR_AT, ANNOTATION_CLEAR_BY, Phase, type WorkflowExecution } from '../api/workflowexecution.js'
import { defineRule, type RuleContext } from '../admission/rule-contract.js'
import { firstDifferences } from '../api/semantic-equal.js'
import { recordAt, valueAt } from './field-values.js'

/**
 * Deletions the control plane makes on its own: the garbage collector cascading from the owner
 * RemediationRequest, and the namespace controller emptying a namespace being deleted. Refusing
 * them would wedge the owner's or the namespace's deletion forever; they are recorded instead.
 */
export const CASCADE_DELETERS: readonly string[] = Object.freeze([
  'system:serviceaccount:kube-system:generic-garbage-collector',
  'system:serviceaccount:kube-system:namespace-controller',
])

/** True when the stored object carries an attributed clearance, in status or in the Flow 2 annotations. */
export function isCleared(w: WorkflowExecution): boolean {
  const clearedBy = valueAt(w, 'status', 'blockClearance', 'clearedBy')
  if (typeof clearedBy === 'string' && clearedBy !== '') return true
  const ann = recordAt(w, 'metadata', 'annotations')
  if (ann === undefined) return false
  const by = ann[ANNOTATION_CLEAR_BY]
  return typeof ann[ANNOTATION_CLEAR] === 'string' && typeof by === 'string' && by !== '' && typeof ann[ANNOTATION_CLEAR_AT] === 'string'
}

/** The orchestrator's own test for a blocking execution, and no clearance recorded on it. */
export function blockInForce(w: WorkflowExecution): boolean {
  return (
    valueAt(w, 'status', 'phase') === Phase.Failed &&
    valueAt(w, 'status', 'failureDetails', 'wasExecutionFailure') === true &&
    !isCleared(w)
  )
}

const FAILURE_DETAILS = 'status.failureDetails'

export const failureDetailsFrozen = defineRule({
  id: 'failure-details-frozen',
  // Compares the stored object with the new one, as a transition rule: never ratcheted.
  ratchet: 'never',
  description:
    'once the stored status.phase is Failed, status.failureDetails cannot be changed or removed (only a blockClearance lifts a block)',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['', 'status'],
  field: FAILURE_DETAILS,
  check: ({ object, oldObject }) => {
    const stored = valueAt(oldObject, 'status', 'failureDetails')
    // Setting it for the first time can only add a block, never lift one.
    if (valueAt(oldObject, 'status', 'phase') !== Phase.Failed || stored === undefined) return []
    const incoming = valueAt(object, 'status', 'failureDetails')
    const how = 'to lift the block write status.blockClearance with a clearReason (docs/audit.md)'
    if (incoming === undefined || incoming === null)
      return [forbidden(FAILURE_DETAILS, `failureDetails is immutable once the execution has failed: it cannot be removed; ${how}`)]
    const changed = firstDifferences(stored, incoming, FAILURE_DETAILS, 4)
    if (changed.length === 0) return []
    return [forbidden(FAILURE_DETAILS, `failureDetails is immutable once the execution has failed; changed: ${changed.join(', ')}; ${how}`)]
  },
})

function isCascade(ctx: RuleContext): boolean {
  const username: unknown = ctx.request.userInfo?.username
  return typeof username === 'string' && CASCADE_DELETERS.includes(username)
}

function liftRefused(w: WorkflowExecution, how: string, field: string): FieldError {
  const n = valueAt(w, 'metadata', 'name')
  const namespace = valueAt(w, 'metadata', 'namespace')
  const name = typeof n === 'string' ? n : ''
  const ns = typeof namespace === 'string' ? namespace : ''
  const target = valueAt(w, 'spec', 'targetResource')
  const clear = `kubectl patch workflowexecution ${name} -n ${ns} --subresource=status --type=merge -p '{"status":{"blockClearance":{"clearReason":"<what you investigated and found>"}}}'`
  return forbidden(
    field,
    `${renderValue(name)} failed during execution and blocks remediation of ${renderValue(target ?? null)}; ${how} would lift the block with no clearance on record. Clear the block first (${clear}, or annotate ${ANNOTATION_CLEAR}), then delete it`,
  )
}

export const blockedDeleteRefused = defineRule({
  id: 'blocked-delete-refused',
  description:
    'a WorkflowExecution whose block is in force and not cleared cannot be deleted, except by the garbage collector or namespace controller',
  kind: 'validate',
  severity: 'deny',
  operations: ['DELETE'],
  subresources: [''],
  field: 'metadata.name',
  check: (ctx): FieldError[] => {
    // On DELETE the core hands rules the stored object (the request's oldObject).
    const w = ctx.object
    if (!blockInForce(w) || isCascade(ctx)) return []
    return [liftRefused(w, 'deleting it', 'metadata.name')]
  },
})

function finalizerCount(w: WorkflowExecution | undefined): number {
  const f = valueAt(w, 'metadata', 'finalizers')
  return Array.isArray(f) ? f.length : 0
}

/** True when this UPDATE takes the last finalizer off an object being deleted: the apiserver then removes it. */
export function removesLastFinalizer(ctx: Pick<RuleContext, 'object' | 'oldObject'>): boolean {
  const old = ctx.oldObject
  if (old === undefined || typeof valueAt(old, 'metadata', 'deletionTimestamp') !== 'string') return false
  return finalizerCount(old) > 0 && finalizerCount(ctx.object) === 0
}

/**
 * A DELETE of an object with finalizers only marks it; the object goes when its last finalizer is
 * removed, by an UPDATE. If the block came into force while it was terminating (the controller
 * wrote Failed after the DELETE was allowed), that UPDATE is the real deletion and is judged as one.
 */
export const blockedFinalizerRemovalRefused = defineRule({
  id: 'blocked-finalizer-removal-refused',
  ratchet: 'never',
  description:
    'the last finalizer of a terminating WorkflowExecution whose block is in force and not cleared cannot be removed, except by the garbage collector or namespace controller',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: [''],
  field: 'metadata.finalizers',
  check: (ctx): FieldError[] => {
    const old = ctx.oldObject
    if (old === undefined || !removesLastFinalizer(ctx) || !blockInForce(old) || isCascade(ctx)) return []
    return [liftRefused(old, 'removing its last finalizer (which deletes it)', 'metadata.finalizers')]
  },
})

export const clearanceLiftingRules = [failureDetailsFrozen, blockedDeleteRefused, blockedFinalizerRemovalRefused]
