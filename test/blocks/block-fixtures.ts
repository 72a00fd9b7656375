// Stored executions for the block index and the target-block rules: blocked, cleared, pre-execution
// failed and completed, each with its own uid and target.
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { aFailedExecution, aWorkflowExecution } from '../helpers/objects.js'

export interface Stored {
  name: string
  namespace?: string
  target?: string
  failedAt?: string
}

function identify(w: WorkflowExecution, s: Stored): void {
  w.metadata = { ...w.metadata, name: s.name, namespace: s.namespace ?? 'kubernaut-system', uid: `uid-${s.namespace ?? 'ks'}-${s.name}` }
  w.spec.targetResource = s.target ?? 'payment/Deployment/payment-api'
}

/** Failed during execution, not cleared: blocks its target. */
export function blocked(s: Stored): WorkflowExecution {
  return aFailedExecution((w) => {
    identify(w, s)
    if (s.failedAt !== undefined) w.status!.failureDetails!.failedAt = s.failedAt
  })
}

/** Failed during execution and cleared by alice. */
export function cleared(s: Stored): WorkflowExecution {
  return aFailedExecution((w) => {
    identify(w, s)
    w.status!.blockClearance = {
      clearedBy: 'alice@example.com',
      clearedAt: '2026-11-25T10:00:00Z',
      clearReason: 'the node pool was replaced and the restart now succeeds',
      clearMethod: 'StatusField',
    }
  })
}

/** Failed before execution (wasExecutionFailure false): backs off, never blocks. */
export function preFailed(s: Stored): WorkflowExecution {
  return aFailedExecution((w) => {
    identify(w, s)
    w.status!.failureDetails!.wasExecutionFailure = false
    w.status!.failureDetails!.reason = 'ImagePullBackOff'
    if (s.failedAt !== undefined) w.status!.failureDetails!.failedAt = s.failedAt
  })
}

export function completed(s: Stored & { at: string }): WorkflowExecution {
  return aWorkflowExecution((w) => {
    identify(w, s)
    w.status = { phase: 'Completed', completionTime: s.at }
  })
}
