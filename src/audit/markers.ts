// Markers: whether a record was written, and who the webhook admitted, is known only from
// ConfigMaps in the server's own namespace, where RBAC lets the server's ServiceAccount alone
// create them. One record marker per audit record (named from the record key), one admission
// marker per admitted clearance or deletion of a blocked execution (the requester's userInfo,
// never `extra`). Nothing a cluster user can create (an Event, an annotation) decides either.
// Pure: builds and reads the objects; the recorder does the I/O.
import type { ConfigMapObject } from './api.js'
import type { StoredRecord } from './stored-records.js'

export const MARKER_LABEL = 'wfe-admission.kubernaut.ai/marker'
export const RECORD_KEY_LABEL = 'wfe-admission.kubernaut.ai/record-key'
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'wfe-admission' }

export function recordMarkerName(key: string): string {
  return `wfe-audit-record-${key}`
}

export function admissionMarkerName(key: string): string {
  return `wfe-audit-admission-${key}`
}

/** What a record says of the stored object: the same on every replica, before and after any restart. */
export interface RecordSubject {
  type: StoredRecord['type']
  key: string
  resource: StoredRecord['resource']
  /** clearedBy as stored: a claim until an admission marker confirms it. */
  claimedBy: string | null
  at: string
  reason: string | null
  method: string | null
  correlationId: string
}

export function subjectOf(r: StoredRecord): RecordSubject {
  return {
    type: r.type,
    key: r.key,
    resource: { namespace: r.resource.namespace, name: r.resource.name, uid: r.resource.uid },
    claimedBy: r.actor ?? null,
    at: r.at,
    reason: r.reason ?? null,
    method: r.method ?? null,
    correlationId: r.correlationId,
  }
}

/** The admitting replica's evidence: who the apiserver authenticated, for which request. */
export interface AdmissionEvidence {
  key: string
  act: 'clear-block' | 'delete-blocked'
  user: { username: string; uid?: string; groups?: string[] }
  admissionUid: string
  resource: { namespace: string; name: string; uid?: string }
  at: string
  /** Set when the request used an exemption: the cascade deleters. */
  exemption?: string
}

export function recordMarker(
  namespace: string,
  subject: RecordSubject,
  record: Record<string, unknown>,
  writer: string,
  at: string,
): ConfigMapObject {
  return {
    metadata: {
      name: recordMarkerName(subject.key),
      namespace,
      labels: { ...MANAGED_BY, [MARKER_LABEL]: 'record', [RECORD_KEY_LABEL]: subject.key },
    },
    data: { subject: JSON.stringify(subject), record: JSON.stringify(record), writer, writtenAt: at },
  }
}

export function admissionMarker(namespace: string, evidence: AdmissionEvidence, writer: string, at: string): ConfigMapObject {
  return {
    metadata: {
      name: admissionMarkerName(evidence.key),
      namespace,
      labels: { ...MANAGED_BY, [MARKER_LABEL]: 'admission', [RECORD_KEY_LABEL]: evidence.key },
    },
    data: { admission: JSON.stringify(evidence), writer, writtenAt: at },
  }
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(v)
}

/** True when a stored record marker says exactly what this recorder would have written of `subject`. */
export function markerMatches(marker: ConfigMapObject, subject: RecordSubject): boolean {
  const raw = marker.data?.['subject']
  if (typeof raw !== 'string') return false
  try {
    return canonical(JSON.parse(raw)) === canonical(subject) && marker.metadata.labels?.[RECORD_KEY_LABEL] === subject.key
  } catch {
    return false
  }
}

/** The evidence an admission marker holds, or undefined when it is not one this server wrote for `key`. */
export function evidenceOf(marker: ConfigMapObject | undefined, key: string): AdmissionEvidence | undefined {
  const raw = marker?.data?.['admission']
  if (typeof raw !== 'string') return undefined
  try {
    const e = JSON.parse(raw) as AdmissionEvidence
    if (e.key !== key || typeof e.user?.username !== 'string' || e.user.username === '') return undefined
    return e
  } catch {
    return undefined
  }
}
