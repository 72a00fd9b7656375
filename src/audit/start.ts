// Starts the audit trail's edge: the REST client for the recorder's own writes, the recorder (a
// subscriber of the shared watch), the Lease that makes one replica the recorder, and the admission
// evidence writer the effect runner uses. Undefined when no Kubernetes API is configured.
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type { Logger } from 'pino'
import { loadKubeConfig } from '../kube/config.js'
import { createAuditApi, type AuditApi } from './api.js'
import { createEvidenceWriter, type EvidenceWriter } from './evidence.js'
import { createRest } from './kube-rest.js'
import { startLeaderElector, type LeaderElectionTimings, type LeaderElector } from './lease.js'
import { createAuditRecorder, type AuditRecorder, type RecorderHooks } from './recorder.js'

export const LEASE_NAME = 'wfe-admission-audit-recorder'
export const DEFAULT_AUDIT_NAMESPACE = 'kubernaut-system'
const POD_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace'

export interface AuditTrailOptions extends LeaderElectionTimings {
  kubeconfigPath?: string | undefined
  inCluster?: boolean | undefined
  namespace?: string | undefined
  timeoutMs: number
  admissionGraceMs: number
  logger: Logger
  hooks?: (RecorderHooks & { leader?(leading: boolean): void; lease?(result: 'success' | 'error'): void }) | undefined
  /** For tests: the API to use instead of one built from the kubeconfig. */
  api?: AuditApi
}

export interface AuditTrail {
  recorder: AuditRecorder
  evidence: EvidenceWriter
  elector: LeaderElector
  namespace: string
  close(): Promise<void>
}

/** The server's namespace: the flag, else $POD_NAMESPACE, else the pod's service-account namespace, else the default. */
export function auditNamespace(given: string | undefined): string {
  if (given !== undefined && given !== '') return given
  const env = process.env['POD_NAMESPACE']
  if (env !== undefined && env !== '') return env
  try {
    const ns = readFileSync(POD_NAMESPACE_FILE, 'utf8').trim()
    if (ns !== '') return ns
  } catch {
    // Not in a pod.
  }
  return DEFAULT_AUDIT_NAMESPACE
}

export async function startAuditTrail(o: AuditTrailOptions): Promise<AuditTrail | undefined> {
  const namespace = auditNamespace(o.namespace)
  let api = o.api
  if (api === undefined) {
    const loaded = await loadKubeConfig(o)
    if (loaded === undefined) return undefined
    api = createAuditApi(createRest(loaded.kc, o.timeoutMs), namespace)
  }
  // The pod name is the identity, as controller-runtime's; a suffix keeps two processes on one host apart.
  const instance = `${process.env['POD_NAME'] ?? hostname()}_${process.pid}`
  const recorder = createAuditRecorder({ api, logger: o.logger, instance, admissionGraceMs: o.admissionGraceMs, hooks: o.hooks })
  const evidence = createEvidenceWriter({ api, logger: o.logger, instance, onError: () => o.hooks?.error?.('evidence') })
  let leaseFailing = false
  const elector = startLeaderElector({
    api,
    name: LEASE_NAME,
    identity: instance,
    leaseDurationMs: o.leaseDurationMs,
    renewDeadlineMs: o.renewDeadlineMs,
    retryPeriodMs: o.retryPeriodMs,
    onStartedLeading: () => {
      o.hooks?.leader?.(true)
      recorder.setLeader(true)
    },
    onStoppedLeading: () => {
      o.hooks?.leader?.(false)
      recorder.setLeader(false)
    },
    onError: (err) => {
      o.hooks?.lease?.('error')
      if (!leaseFailing)
        o.logger.error(
          { err, lease: `${namespace}/${LEASE_NAME}` },
          'audit recorder cannot take or renew its Lease: admission goes on, records wait until a replica holds the Lease',
        )
      leaseFailing = true
    },
    onTry: (_leading, reached) => {
      if (!reached) return
      if (leaseFailing) o.logger.info({ lease: `${namespace}/${LEASE_NAME}` }, 'audit recorder Lease reachable again')
      leaseFailing = false
      o.hooks?.lease?.('success')
    },
  })
  return {
    recorder,
    evidence,
    elector,
    namespace,
    close: async () => {
      await elector.stop()
      recorder.stop()
      await Promise.all([recorder.settled(), evidence.settled()])
    },
  }
}
