// What a stored WorkflowExecution records, as audit records: each attributed clearance it carries
// (status.blockClearance, or the Flow 2 annotations before the controller copied them), and, when
// it is deleted while its block is in force, that deletion. Pure; the shared watch feeds the recorder (recorder.ts), which feeds
// it what the apiserver committed, so a record exists only for what was stored.
import { createHash } from 'node:crypto'
import {
  ANNOTATION_CLEAR,
  ANNOTATION_CLEAR_AT,
  ANNOTATION_CLEAR_BY,
  ClearMethod,
  type WorkflowExecution,
} from '../api/workflowexecution.js'
import { isRecord } from '../api/json.js'
import { correlationIdOf, parseRfc3339, rfc3339Seconds } from '../rules/clearance-attribution.js'
import { blockInForce } from '../rules/clearance-lifting.js'

export const CLEARED = 'workflowexecution.block.cleared'
export const DELETED = 'workflowexecution.block.deleted'
export const DELETED_REASON = 'BlockedExecutionDeleted'

export interface StoredRecord {
  type: typeof CLEARED | typeof DELETED
  /** 16 hex digits: the same clearance always gets the same key, on every replica, after every restart. */
  key: string
  resource: { namespace: string; name: string; uid: string }
  /** clearedBy; for a deletion, unknown here (the admitting replica's log and the apiserver audit log name the deleter). */
  actor?: string
  /** The attribution time (clearedAt), or when the deletion was observed. */
  at: string
  reason?: string
  method?: string
  correlationId: string
}

/** The key that ties an admitted clearance, its stored record(s) and its Event together. */
export function clearanceKey(uid: string, by: string, at: string, reason: string): string {
  const when = parseRfc3339(at) ?? at
  return createHash('sha256')
    .update(JSON.stringify(['cleared', uid, by, when, reason]))
    .digest('hex')
    .slice(0, 16)
}

function identity(w: WorkflowExecution): { resource: StoredRecord['resource']; correlationId: string } | undefined {
  const m = w.metadata
  if (typeof m?.uid !== 'string' || m.uid === '' || typeof m.name !== 'string' || typeof m.namespace !== 'string') return undefined
  return { resource: { namespace: m.namespace, name: m.name, uid: m.uid }, correlationId: correlationIdOf(w, m.name) }
}

function cleared(
  id: NonNullable<ReturnType<typeof identity>>,
  by: unknown,
  at: unknown,
  reason: unknown,
  method: string,
): StoredRecord | undefined {
  if (typeof by !== 'string' || by === '' || typeof at !== 'string' || parseRfc3339(at) === undefined || typeof reason !== 'string')
    return undefined
  return { type: CLEARED, key: clearanceKey(id.resource.uid, by, at, reason), ...id, actor: by, at, reason, method }
}

/** The clearances a stored object records. The Flow 2 annotations and their copy in status are one record (one key). */
export function clearancesOf(w: WorkflowExecution): StoredRecord[] {
  const id = identity(w)
  if (id === undefined) return []
  const out: StoredRecord[] = []
  const status: unknown = w.status
  const bc = isRecord(status) ? status['blockClearance'] : undefined
  const fromStatus = isRecord(bc)
    ? cleared(
        id,
        bc['clearedBy'],
        bc['clearedAt'],
        bc['clearReason'],
        typeof bc['clearMethod'] === 'string' ? bc['clearMethod'] : ClearMethod.StatusField,
      )
    : undefined
  if (fromStatus !== undefined) out.push(fromStatus)
  const ann: unknown = w.metadata.annotations
  const fromAnnotations = isRecord(ann)
    ? cleared(id, ann[ANNOTATION_CLEAR_BY], ann[ANNOTATION_CLEAR_AT], ann[ANNOTATION_CLEAR], ClearMethod.Annotation)
    : undefined
  // Once status is attributed it is the clearance: the annotations are either its source (same key)
  // or a later one that can never take effect (and that the webhook refuses).
  if (fromAnnotations !== undefined && fromStatus === undefined) out.push(fromAnnotations)
  return out
}

/** A deletion the watch saw of an execution whose block was in force: the block is lifted with no clearance. */
export function deletionOf(w: WorkflowExecution, observedAt: Date): StoredRecord | undefined {
  const id = identity(w)
  if (id === undefined || !blockInForce(w)) return undefined
  const at = typeof w.metadata.deletionTimestamp === 'string' ? w.metadata.deletionTimestamp : rfc3339Seconds(observedAt)
  return { type: DELETED, key: deletionKey(id.resource.uid), ...id, at }
}

/** One deletion per execution: the key is its uid's. */
export function deletionKey(uid: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['deleted', uid]))
    .digest('hex')
    .slice(0, 16)
}
