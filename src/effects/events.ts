// Kubernetes Events for the audit trail: a core/v1 Event (Normal, BlockCleared) on the cleared
// WorkflowExecution, so `kubectl describe` shows who cleared the block and why. The client library
// is heavy, so it is imported only when a writer is created (never by the core, the CLI or tests
// that do not need it).
import { existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { CoreV1Event } from '@kubernetes/client-node'
import type { BlockClearedEffect } from '../admission/types.js'
import { API_VERSION, KIND } from '../api/workflowexecution.js'
import { WfeError } from '../errors.js'

export const EVENT_REASON = 'BlockCleared'
export const REPORTING_COMPONENT = 'wfe-admission'
/** Where a pod's service-account token is mounted; without it there is no in-cluster identity. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'
// The apiserver rejects core/v1 Event messages over 1 KiB in events.k8s.io, and kubectl truncates
// long ones anyway; the full reason is in the audit line.
const MAX_MESSAGE = 1024

export interface EventWriter {
  /** Creates the Event; rejects on failure, on timeout, or when `signal` aborts. */
  write(effect: BlockClearedEffect, signal?: AbortSignal): Promise<void>
}

export interface EventWriterOptions {
  /** A kubeconfig file (--kubeconfig); wins over in-cluster config. */
  kubeconfigPath?: string | undefined
  /** true: use the pod's service account; undefined: use it when running in a pod; false: never. */
  inCluster?: boolean | undefined
  /** Upper bound for one Event write, connection included. */
  timeoutMs: number
}

/** The Event for one clearance, as plain data (tested without any client). */
export function blockClearedEvent(effect: BlockClearedEffect, instance = hostname()): CoreV1Event {
  const { namespace, name, uid } = effect.resource
  const when = new Date(effect.time)
  const message = `Execution block cleared by ${effect.actor.username} (clearMethod ${effect.method}): ${effect.reason}`
  const involvedObject: CoreV1Event['involvedObject'] = { apiVersion: API_VERSION, kind: KIND, name, namespace }
  if (uid !== undefined) involvedObject.uid = uid
  return {
    apiVersion: 'v1',
    kind: 'Event',
    // client-go names Events NAME.<unique hex>; random hex keeps two clearances in one second apart.
    metadata: { name: `${name.slice(0, 236)}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject,
    type: 'Normal',
    reason: EVENT_REASON,
    action: 'ClearBlock',
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message,
    source: { component: REPORTING_COMPONENT },
    reportingComponent: REPORTING_COMPONENT,
    reportingInstance: instance,
    firstTimestamp: when,
    lastTimestamp: when,
    count: 1,
  }
}

/** The client library and a loaded configuration, or undefined when no API is configured. */
export async function loadKubeConfig(
  options: Pick<EventWriterOptions, 'kubeconfigPath' | 'inCluster'>,
): Promise<{ k8s: typeof import('@kubernetes/client-node'); kc: import('@kubernetes/client-node').KubeConfig } | undefined> {
  const path = options.kubeconfigPath
  const inCluster =
    options.inCluster ?? (process.env['KUBERNETES_SERVICE_HOST'] !== undefined && process.env['KUBERNETES_SERVICE_HOST'] !== '')
  if ((path === undefined || path === '') && (!inCluster || !existsSync(SERVICE_ACCOUNT_TOKEN))) return undefined

  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  try {
    if (path !== undefined && path !== '') kc.loadFromFile(path)
    else kc.loadFromCluster()
    if (kc.getCurrentCluster() === null) throw new Error('no current cluster in the configuration')
  } catch (err) {
    const source = path !== undefined && path !== '' ? `--kubeconfig ${path}` : 'in-cluster configuration'
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `${source}: cannot load it for Event writes: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  return { k8s, kc }
}

/** Call options that abort the generated client's request on `signal` (it has no per-call signal option). */
export function abortable(kc: import('@kubernetes/client-node').KubeConfig, signal: AbortSignal): object {
  // Its auth hook sees every request context, so the signal is attached there, after the
  // kubeconfig's own credentials.
  return {
    authMethods: {
      default: {
        getName: () => 'kubeconfig-with-abort',
        applySecurityAuthentication: async (ctx: { setSignal(s: AbortSignal): void }) => {
          await kc.applySecurityAuthentication(ctx as Parameters<typeof kc.applySecurityAuthentication>[0])
          ctx.setSignal(signal)
        },
      },
    },
  }
}

/**
 * A writer for the configured API, or undefined when none is configured (no --kubeconfig, not in a
 * pod). An explicit kubeconfig that cannot be loaded is a start-up error, not a silent no-op.
 */
export async function createEventWriter(options: EventWriterOptions): Promise<EventWriter | undefined> {
  const loaded = await loadKubeConfig(options)
  if (loaded === undefined) return undefined
  const { k8s, kc } = loaded
  const api = kc.makeApiClient(k8s.CoreV1Api)

  return {
    async write(effect, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs)
      const abort = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
      await api.createNamespacedEvent({ namespace: effect.resource.namespace, body: blockClearedEvent(effect) }, abortable(kc, abort))
    },
  }
}
