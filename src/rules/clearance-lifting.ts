// The ways a block could be lifted without a clearance, closed. The orchestrator blocks a target
// while an execution has phase Failed, failureDetails set and wasExecutionFailure true, so flipping
// or removing failureDetails, or deleting the execution, would lift the block with nobody on record.
// After Failed, failureDetails is frozen (the controller writes it with the Failed phase), and a
// blocked execution can be deleted only once cleared, or by the control plane's cascades.
import { forbidden, renderValue, type FieldError } from '../admission/field.js'
import { ANNOTATION_CLEAR, ANNOTATION_CLEAR_AT, ANNOTATION_CLEAR_BY, Phase, type WorkflowExecution } from '../api/workflowexecution.js'
import { isRecord } from '../api/json.js'
import { defineRule } from '../admission/rule-contract.js'
import { firstDifferences } from '../api/semantic-equal.js'

/**
 * Deletions the control plane makes on its own: the garbage collector cascading from the owner
 * RemediationRequest, and the namespace controller emptying a namespace being deleted. Refusing
 * them would wedge the owner's or the namespace's deletion forever; they are recorded instead.
 */
export const CASCADE_DELETERS: readonly string[] = Object.freeze([
  'system:serviceaccount:kube-system:generic-garbage-collector',
  'system:serviceaccount:kube-system:namespace-controller',
])

function statusOf(w: WorkflowExecution | undefined): Record<string, unknown> | undefined {
  const s: unknown = w?.status
  return isRecord(s) ? s : undefined
}

/** True when the stored object carries an attributed clearance, in status or in the Flow 2 annotations. */
export function isCleared(w: WorkflowExecution): boolean {
  const bc = statusOf(w)?.['blockClearance']
  if (isRecord(bc) && typeof bc['clearedBy'] === 'string' && bc['clearedBy'] !== '') return true
  const ann: unknown = w.metadata?.annotations
  if (!isRecord(ann)) return false
  const by = ann[ANNOTATION_CLEAR_BY]
  return typeof ann[ANNOTATION_CLEAR] === 'string' && typeof by === 'string' && by !== '' && typeof ann[ANNOTATION_CLEAR_AT] === 'string'
}

/** The orchestrator's own test for a blocking execution, and no clearance recorded on it. */
export function blockInForce(w: WorkflowExecution): boolean {
  const status = statusOf(w)
  const fd = status?.['failureDetails']
  return status?.['phase'] === Phase.Failed && isRecord(fd) && fd['wasExecutionFailure'] === true && !isCleared(w)
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
    const stored = statusOf(oldObject)
    // Setting it for the first time can only add a block, never lift one.
    if (stored?.['phase'] !== Phase.Failed || stored['failureDetails'] === undefined || stored['failureDetails'] === null) return []
    const incoming = statusOf(object)?.['failureDetails']
    const how = 'to lift the block write status.blockClearance with a clearReason (docs/audit.md)'
    if (incoming === undefined || incoming === null)
      return [forbidden(FAILURE_DETAILS, `failureDetails is immutable once the execution has failed: it cannot be removed; ${how}`)]
    const changed = firstDifferences(stored['failureDetails'], incoming, FAILURE_DETAILS, 4)
    if (changed.length === 0) return []
    return [forbidden(FAILURE_DETAILS, `failureDetails is immutable once the execution has failed; changed: ${changed.join(', ')}; ${how}`)]
  },
})

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
    if (!blockInForce(w)) return []
    const username: unknown = ctx.request.userInfo?.username
    if (typeof username === 'string' && CASCADE_DELETERS.includes(username)) return []
    const name = typeof w.metadata?.name === 'string' ? w.metadata.name : ''
    const ns = typeof w.metadata?.namespace === 'string' ? w.metadata.namespace : ''
    const target = (w.spec as unknown as Record<string, unknown> | undefined)?.['targetResource']
    const clear = `kubectl patch workflowexecution ${name} -n ${ns} --subresource=status --type=merge -p '{"status":{"blockClearance":{"clearReason":"<what you investigated and found>"}}}'`
    return [
      forbidden(
        'metadata.name',
        `${renderValue(name)} failed during execution and blocks remediation of ${renderValue(target ?? null)}; deleting it would lift the block with no clearance on record. Clear the block first (${clear}, or annotate ${ANNOTATION_CLEAR}), then delete it`,
      ),
    ]
  },
})

export const clearanceLiftingRules = [failureDetailsFrozen, blockedDeleteRefused]
