// The admitting replica's half of the record: after it has answered (never on a dry run), it keeps
// who the apiserver authenticated for an admitted clearance or deletion of a blocked execution as
// an admission marker in the server's namespace. The recorder joins the stored object with it; a
// stored clearance with no admission marker is recorded as unadmitted, never attributed.
import type { Effect } from '../admission/types.js'
import { clearanceKey, deletionKey } from './stored-records.js'
import type { EffectLogger } from '../effects/audit.js'
import type { AuditApi } from './api.js'
import { admissionMarker, type AdmissionEvidence } from './markers.js'

export interface EvidenceWriter {
  /** Starts keeping the evidence of one admitted effect; never throws, never blocks. */
  admitted(effect: Effect): void
  settled(): Promise<void>
  close?(): Promise<void>
}

export function evidenceOfEffect(effect: Effect): AdmissionEvidence {
  const uid = effect.resource.uid ?? ''
  const base = {
    user: { ...effect.actor },
    admissionUid: effect.admissionUid,
    resource: { ...effect.resource },
    at: effect.time,
  }
  if (effect.type === 'workflowexecution.block.cleared')
    return { key: clearanceKey(uid, effect.actor.username, effect.time, effect.reason), act: 'clear-block', ...base }
  const e: AdmissionEvidence = { key: deletionKey(uid), act: 'delete-blocked', ...base }
  if (effect.exemption !== undefined) e.exemption = effect.exemption
  return e
}

export interface EvidenceWriterOptions {
  api: Pick<AuditApi, 'namespace' | 'createConfigMap'>
  logger: EffectLogger
  instance: string
  /** How many tries before giving up (the recorder then records the write as unadmitted and alerts). */
  attempts?: number
  backoffMs?: (n: number) => number
  onError?: () => void
}

export function createEvidenceWriter(o: EvidenceWriterOptions): EvidenceWriter {
  const busy = new Set<Promise<void>>()
  // About two minutes of retries: a short outage of the apiserver or the Role loses no attribution.
  const attempts = o.attempts ?? 10
  const backoff = o.backoffMs ?? ((n: number) => Math.min(30_000, 250 * 2 ** n))
  const keep = async (evidence: AdmissionEvidence): Promise<void> => {
    const marker = admissionMarker(o.api.namespace, evidence, o.instance, new Date().toISOString())
    for (let n = 1; ; n++) {
      try {
        // 'exists': kept already (a retry whose answer was lost, or the same clearance's second webhook call).
        await o.api.createConfigMap(marker)
        return
      } catch (err) {
        o.onError?.()
        if (n >= attempts) {
          o.logger.error(
            { err, recordKey: evidence.key, admissionUid: evidence.admissionUid, user: evidence.user.username },
            'admission marker not written: the recorder will record this write as unadmitted (the apiserver audit log still names the user)',
          )
          return
        }
        await new Promise((r) => setTimeout(r, backoff(n)).unref())
      }
    }
  }
  return {
    admitted(effect) {
      let p: Promise<void>
      try {
        p = keep(evidenceOfEffect(effect))
      } catch (err) {
        o.logger.error({ err }, 'admission evidence could not be built')
        return
      }
      busy.add(p)
      void p.finally(() => busy.delete(p))
    },
    settled: async () => {
      while (busy.size > 0) await Promise.allSettled([...busy])
    },
  }
}
