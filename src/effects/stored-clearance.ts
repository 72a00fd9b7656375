// What a stored WorkflowExecution records, as audit records: each attributed clearance it carries
// (status.blockClearance, or the Flow 2 annotations before the controller copied them), and, when
// it is deleted while its block is in force, that deletion. Pure; the watch (audit-watch.ts) feeds
// it what the apiserver committed, so a record exists only for what was stored.
import { createHash } from 'node:crypto'
import type { CoreV1Event } from '@kubernetes/client-node'
import {
  ANNOTATION_CLEAR,
  ANNOTATION_CLEAR_AT,
  ANNOTATION_CLEAR_BY,
  API_VERSION,
  ClearMethod,
  KIND,
  type WorkflowExecution,
} from '../api/workflowexecution.js'
import { isRecord } from '../api/json.js'
import { parseRfc3339 } from '../rules/clearance-attribution.js'
import { blockInForce } from '../rules/clearance-lifting.js'
import { EVENT_REASON, REPORTING_COMPONENT } from './events.js'

export const CLEARED = 'workflowexecution.block.cleared'
export const DELETED = 'workflowexecution.block.deleted'
export const DELETED_REASON = 'BlockedExecutionDeleted'
const MAX_MESSAGE = 1024

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
  const rr: unknown = (w.spec as unknown as Record<string, unknown> | undefined)?.['remediationRequestRef']
  const rrName = isRecord(rr) && typeof rr['name'] === 'string' && rr['name'] !== '' ? rr['name'] : m.name
  return { resource: { namespace: m.namespace, name: m.name, uid: m.uid }, correlationId: rrName }
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
  const at =
    typeof w.metadata.deletionTimestamp === 'string' ? w.metadata.deletionTimestamp : observedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const key = createHash('sha256')
    .update(JSON.stringify(['deleted', id.resource.uid]))
    .digest('hex')
    .slice(0, 16)
  return { type: DELETED, key, ...id, at }
}

/** The Event's name: client-go's NAME.<hex> shape, but the hex is the record's key, so a second create is AlreadyExists. */
export function eventName(r: StoredRecord): string {
  return `${r.resource.name.slice(0, 253 - 17)}.${r.key}`
}

export function recordEvent(r: StoredRecord, instance: string): CoreV1Event {
  const when = new Date(r.at)
  const text =
    r.type === CLEARED
      ? `Execution block cleared by ${r.actor ?? '?'} (clearMethod ${r.method ?? '?'}): ${r.reason ?? ''}`
      : 'Execution deleted while its block was in force and not cleared: the block is lifted with no clearance on record (direct deletes are refused; this was a cascade or a bypass, see the apiserver audit log)'
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(r), namespace: r.resource.namespace },
    involvedObject: { apiVersion: API_VERSION, kind: KIND, name: r.resource.name, namespace: r.resource.namespace, uid: r.resource.uid },
    type: r.type === CLEARED ? 'Normal' : 'Warning',
    reason: r.type === CLEARED ? EVENT_REASON : DELETED_REASON,
    action: r.type === CLEARED ? 'ClearBlock' : 'Delete',
    message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text,
    source: { component: REPORTING_COMPONENT },
    reportingComponent: REPORTING_COMPONENT,
    reportingInstance: instance,
    firstTimestamp: when,
    lastTimestamp: when,
    count: 1,
  }
}
