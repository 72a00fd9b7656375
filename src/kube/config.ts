// The Kubernetes client configuration for the audit recorder and the shared watch: from --kubeconfig
// or the pod, and per-call abort. The client library is heavy, so it is imported only when one is
// loaded (never by the core, the CLI or tests that do not need it).
import { existsSync } from 'node:fs'
import { WfeError } from '../errors.js'

/** Where a pod's service-account token is mounted; without it there is no in-cluster identity. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'

export interface KubeApiOptions {
  /** A kubeconfig file (--kubeconfig); wins over in-cluster config. */
  kubeconfigPath?: string | undefined
  /** true: use the pod's service account; undefined: use it when running in a pod; false: never. */
  inCluster?: boolean | undefined
}

/** Whether a Kubernetes API is configured: a kubeconfig file given, or running in a pod with a service-account token. */
export function kubeApiConfigured(options: KubeApiOptions): boolean {
  const path = options.kubeconfigPath
  const inCluster =
    options.inCluster ?? (process.env['KUBERNETES_SERVICE_HOST'] !== undefined && process.env['KUBERNETES_SERVICE_HOST'] !== '')
  return (path !== undefined && path !== '') || (inCluster && existsSync(SERVICE_ACCOUNT_TOKEN))
}

type Loaded = { k8s: typeof import('@kubernetes/client-node'); kc: import('@kubernetes/client-node').KubeConfig }

/** The client library and a loaded configuration, or undefined when no API is configured. */
export async function loadKubeConfig(options: KubeApiOptions): Promise<Loaded | undefined> {
  if (!kubeApiConfigured(options)) return undefined
  return readKubeConfig(options.kubeconfigPath, ' for the WorkflowExecution watch and Event writes')
}

/**
 * The client library and the configuration from `path`, or the pod's when there is none; a
 * WFE_ERR_CONFIG naming the source (and what it was `for`) when it does not load.
 */
export async function readKubeConfig(path: string | undefined, purpose = ''): Promise<Loaded> {
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  try {
    if (path !== undefined && path !== '') kc.loadFromFile(path)
    else kc.loadFromCluster()
    if (kc.getCurrentCluster() === null) throw new Error('no current cluster in the configuration')
  } catch (err) {
    const source = path !== undefined && path !== '' ? `--kubeconfig ${path}` : 'in-cluster configuration'
    throw new WfeError('WFE_ERR_CONFIG', `${source}: cannot load it${purpose}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    })
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
