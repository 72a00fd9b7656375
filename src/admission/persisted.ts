// The object as the apiserver will store it, from what a mutating webhook is sent. The CRD's
// update strategy runs after mutating admission and before validating admission:
// - CREATE drops status (the status subresource owns it);
// - an UPDATE of the main resource keeps the stored status, whatever the request carried;
// - an UPDATE of /status keeps the stored metadata and spec (uid included), and changes status only.
// (A main-resource write that changes uid is refused by the apiserver and by rule metadata-apiserver.)
// Judging a clearance, or recording one, on the object as sent would judge what is thrown away.
import type { Operation } from './types.js'
import type { Subresource } from './rule-contract.js'
import type { WorkflowExecution } from '../api/workflowexecution.js'

export function persistedView(
  operation: Operation,
  subresource: Subresource,
  object: WorkflowExecution,
  oldObject: WorkflowExecution | undefined,
): WorkflowExecution {
  if (operation === 'CREATE') {
    if (object.status === undefined) return object
    const { status: _dropped, ...created } = object
    return created
  }
  if (operation !== 'UPDATE' || oldObject === undefined) return object
  if (subresource === 'status') {
    const next: WorkflowExecution = { ...oldObject }
    if (object.status === undefined) delete next.status
    else next.status = object.status
    return next
  }
  const next: WorkflowExecution = { ...object }
  if (oldObject.status === undefined) delete next.status
  else next.status = oldObject.status
  return next
}
