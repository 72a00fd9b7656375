// The audit recorder: a subscriber of the shared WorkflowExecution watch (src/watch/contract.ts)
// that writes one audit line per clearance the apiserver stored and per blocked execution it
// deleted. Every replica follows the watch and keeps the records it has not seen recorded; only
// the Lease holder writes. Whether a record exists is read from its record marker, which only the
// server's ServiceAccount can create (markers.ts); who did it, from the admission marker of the
// replica that admitted it. Order: line, then marker (retried until stored), then a best-effort
// Event. A crash between line and marker writes the line again under the next leader (at least
// once; the line carries `recordKey` so a consumer can drop the repeat); nothing is ever skipped.
import type { WorkflowExecution } from '../api/workflowexecution.js'
import type { WatchSubscriber } from '../watch/contract.js'
import { auditLogger, type EffectLogger } from '../effects/audit.js'
import { CLEARED, clearancesOf, deletionOf, type StoredRecord } from './stored-records.js'
import { blockInForce } from '../rules/clearance-lifting.js'
import type { AuditApi } from './api.js'
import { deletionCause, writeNotice } from './notices.js'
import {
  admissionMarkerName,
  evidenceOf,
  markerMatches,
  recordMarker,
  recordMarkerName,
  subjectOf,
  type AdmissionEvidence,
} from './markers.js'

export type RecordResult = 'written' | 'already' | 'tampered' | 'unadmitted'

export interface RecorderHooks {
  record?(result: RecordResult): void
  /** One per failed API call, by what it was for. */
  error?(op: 'marker' | 'evidence' | 'event'): void
  event?(result: 'success' | 'error'): void
}

export interface RecorderOptions {
  api: AuditApi
  logger: EffectLogger
  /** Pod name (or host): who wrote a line and a marker. */
  instance: string
  /** How long a stored record waits for its admission marker before it is recorded as unadmitted. */
  admissionGraceMs?: number
  /** Delay before retry `n` (1-based) after an API failure. */
  backoffMs?: (n: number) => number
  now?: () => number
  hooks?: RecorderHooks | undefined
}

export interface AuditRecorder extends WatchSubscriber {
  /** Called by the leader elector. */
  setLeader(leading: boolean): void
  /** Records known but not yet found recorded. */
  pending(): number
  /** Resolves when nothing is in flight (timers waiting for a grace period or a retry excepted). */
  settled(): Promise<void>
  stop(): void
}

export const DEFAULT_ADMISSION_GRACE_MS = 30_000
const REMEMBERED = 100_000

export const MESSAGES = {
  cleared: 'workflowexecution block cleared',
  unadmitted: 'workflowexecution block clearance stored without admission: not attributed to the clearedBy it claims',
  deleted: 'workflowexecution deleted while blocked',
} as const

interface Candidate {
  record: StoredRecord
  firstSeen: number
  /** Owner uids of the execution, for a deletion's cause. */
  owners: string[]
}

export function createAuditRecorder(options: RecorderOptions): AuditRecorder {
  const { api, logger, instance } = options
  const audit = auditLogger(logger)
  const now = options.now ?? Date.now
  const grace = options.admissionGraceMs ?? DEFAULT_ADMISSION_GRACE_MS
  const backoff = options.backoffMs ?? ((n: number) => Math.min(30_000, 500 * 2 ** n))
  const candidates = new Map<string, Candidate>()
  const blocked = new Map<string, WorkflowExecution>()
  const done = new Set<string>()
  const lineWritten = new Set<string>()
  const busy = new Map<string, Promise<void>>()
  const timers = new Map<string, NodeJS.Timeout>()
  let leading = false
  let stopped = false
  let failing: string | undefined
  const hook = <K extends keyof RecorderHooks>(k: K, ...args: Parameters<NonNullable<RecorderHooks[K]>>): void => {
    try {
      ;(options.hooks?.[k] as ((...a: unknown[]) => void) | undefined)?.(...args)
    } catch (err) {
      logger.warn({ err }, 'recorder hook threw')
    }
  }

  const remember = (key: string): void => {
    done.add(key)
    candidates.delete(key)
    lineWritten.delete(key)
    if (done.size > REMEMBERED) done.delete(done.values().next().value as string)
  }

  const later = (key: string, ms: number): void => {
    clearTimeout(timers.get(key))
    const t = setTimeout(() => {
      timers.delete(key)
      processKey(key)
    }, ms)
    t.unref()
    timers.set(key, t)
  }

  const consider = (r: StoredRecord, owners: string[]): void => {
    if (stopped || done.has(r.key)) return
    if (!candidates.has(r.key)) candidates.set(r.key, { record: r, firstSeen: now(), owners })
    if (leading) processKey(r.key)
  }

  /** One log line per outage, not one per attempt; and one when it is over. */
  const failed = (what: string, err: unknown, op: 'marker' | 'evidence' | 'event'): void => {
    hook('error', op)
    if (failing === undefined)
      logger.error(
        { err, op },
        `audit recorder cannot ${what}: records are kept and written once it can (check the server's RBAC in its namespace and the apiserver)`,
      )
    failing = what
  }
  const recovered = (): void => {
    if (failing === undefined) return
    logger.info({ was: failing }, 'audit recorder can write again: catching up')
    failing = undefined
  }

  const recordOne = async (key: string, attempt: number): Promise<void> => {
    const c = candidates.get(key)
    if (c === undefined || !leading || stopped) return
    const subject = subjectOf(c.record)
    const markerName = recordMarkerName(key)
    let existing
    try {
      existing = await api.readConfigMap(markerName)
    } catch (err) {
      failed('read its record markers', err, 'marker')
      return later(key, backoff(attempt))
    }
    if (existing !== undefined && markerMatches(existing, subject)) {
      recovered()
      hook('record', 'already')
      return remember(key)
    }
    const tampered = existing !== undefined
    if (tampered && !lineWritten.has(key)) {
      hook('record', 'tampered')
      logger.error(
        { recordKey: key, marker: `${api.namespace}/${markerName}`, resource: c.record.resource, alert: 'AuditTampering' },
        'audit record marker exists but is not what this server writes for the stored object: tampering; the audit line is written anyway',
      )
    }
    let evidence: AdmissionEvidence | undefined
    try {
      evidence = evidenceOf(await api.readConfigMap(admissionMarkerName(key)), key)
    } catch (err) {
      failed('read its admission markers', err, 'evidence')
      return later(key, backoff(attempt))
    }
    if (c.record.type === CLEARED && evidence !== undefined && evidence.user.username !== c.record.actor) evidence = undefined
    const waited = now() - c.firstSeen
    if (evidence === undefined && waited < grace && !lineWritten.has(key)) return later(key, grace - waited)
    const cause = c.record.type === CLEARED ? undefined : await deletionCause(api, c.record, evidence, c.owners)
    const line = recordLine(c.record, evidence, cause, tampered, `${api.namespace}/${markerName}`)
    if (!leading || stopped) return
    if (!lineWritten.has(key)) {
      const message = c.record.type !== CLEARED ? MESSAGES.deleted : evidence === undefined ? MESSAGES.unadmitted : MESSAGES.cleared
      audit.info({ ...line, recorder: instance }, message)
      lineWritten.add(key)
      if (evidence === undefined) {
        hook('record', 'unadmitted')
        logger.error(
          { recordKey: key, resource: c.record.resource, claimedBy: c.record.actor ?? null, alert: 'AuditUnadmitted' },
          c.record.type === CLEARED
            ? 'a stored block clearance was never admitted by this webhook (bypassed, or written while it was not installed): recorded as unadmitted'
            : 'a blocked execution was deleted with no deletion admitted by this webhook: recorded with its cause as observed',
        )
      } else if (!tampered) hook('record', 'written')
    }
    try {
      const marker = recordMarker(api.namespace, subject, line, instance, new Date(now()).toISOString())
      if (tampered && existing !== undefined) {
        await api.replaceConfigMap({
          ...marker,
          metadata: { ...marker.metadata, resourceVersion: existing.metadata.resourceVersion ?? '' },
        })
      } else if ((await api.createConfigMap(marker)) === 'exists') {
        // Ours from an attempt whose answer was lost, another leader's, or planted: read it again.
        return later(key, 0)
      }
    } catch (err) {
      failed('write its record markers', err, 'marker')
      return later(key, backoff(attempt))
    }
    recovered()
    remember(key)
    await writeNotice(api, c.record, evidence, line, logger, (result) => {
      hook('event', result)
      if (result === 'error') hook('error', 'event')
    })
  }

  const attempts = new Map<string, number>()
  const processKey = (key: string): void => {
    if (stopped || !leading || busy.has(key) || !candidates.has(key)) return
    const n = (attempts.get(key) ?? 0) + 1
    attempts.set(key, n)
    const p = recordOne(key, n)
      .catch((err: unknown) => {
        logger.error({ err, recordKey: key }, 'audit recorder failed unexpectedly; retrying')
        later(key, backoff(n))
      })
      .finally(() => {
        busy.delete(key)
        if (!candidates.has(key)) attempts.delete(key)
      })
    busy.set(key, p)
  }

  const ownersOf = (w: WorkflowExecution): string[] => {
    const refs: unknown = w.metadata?.ownerReferences
    return Array.isArray(refs) ? refs.map((o: unknown) => String((o as { uid?: unknown } | null)?.uid ?? '')) : []
  }

  return {
    name: 'audit-recorder',
    upsert(w) {
      const uid = w.metadata?.uid
      if (typeof uid === 'string') {
        if (blockInForce(w)) blocked.set(uid, w)
        else blocked.delete(uid)
      }
      for (const r of clearancesOf(w)) consider(r, [])
    },
    remove(w, how) {
      const uid = w.metadata?.uid
      const last = how === 'relist' && typeof uid === 'string' ? (blocked.get(uid) ?? w) : w
      if (typeof uid === 'string') blocked.delete(uid)
      for (const r of clearancesOf(last)) consider(r, [])
      const d = deletionOf(last, new Date(now()))
      if (d !== undefined) consider(d, ownersOf(last))
    },
    synced(resourceVersion) {
      logger.info({ resourceVersion, pending: candidates.size, leading }, 'audit recorder in sync with the stored WorkflowExecutions')
    },
    stale(reason) {
      logger.warn({ reason }, 'audit recorder: the watch is stale; records resume when it has listed again')
    },
    setLeader(l) {
      if (l === leading) return
      leading = l
      logger.info(
        { instance, pending: candidates.size },
        l ? 'audit recorder is the leader: writing records' : 'audit recorder is no longer the leader',
      )
      if (l) for (const key of candidates.keys()) processKey(key)
    },
    pending: () => candidates.size,
    settled: async () => {
      while (busy.size > 0) await Promise.allSettled([...busy.values()])
    },
    stop() {
      stopped = true
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
    },
  }
}

/** The audit line (and the record marker's copy of it). Never names the claimed clearer as the actor without evidence. */
export function recordLine(
  r: StoredRecord,
  evidence: AdmissionEvidence | undefined,
  cause: Record<string, unknown> | undefined,
  tampered: boolean,
  marker: string,
): Record<string, unknown> {
  const line: Record<string, unknown> = {
    event: r.type,
    recordKey: r.key,
    resource: r.resource,
    correlationId: r.correlationId,
    admitted: evidence !== undefined,
    actor: evidence === undefined ? null : { ...evidence.user },
    recordMarker: marker,
  }
  if (evidence !== undefined) line['admissionUid'] = evidence.admissionUid
  if (r.type === CLEARED) {
    Object.assign(line, { reason: r.reason, method: r.method, clearedAt: r.at })
    if (evidence === undefined) line['claimedBy'] = r.actor ?? null
  } else {
    line['deletedAt'] = r.at
    if (cause !== undefined) line['cause'] = cause
  }
  if (tampered) line['tampered'] = true
  return line
}
