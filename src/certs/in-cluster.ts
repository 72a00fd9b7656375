// `certs --in-cluster`: the chart's tls.mode hook, run by Helm hook Jobs and the rotation CronJob
// from the image itself. Reads the two Secrets, lets planRotation decide, then writes in the order
// that never leaves the apiserver distrusting what the pods serve: the CA Secret, the bundle into
// both webhook configurations, and only then the serving Secret the pods reload.
import { planRotation, type RotationOptions, type StoredCerts } from './rotation.js'
import { WfeError } from '../errors.js'
import { readKubeConfig } from '../kube/config.js'

export type WebhookKind = 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration'
export const WEBHOOK_KINDS: readonly WebhookKind[] = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']

export interface StoredSecret {
  data: Record<string, string>
  /** Opaque; handed back on update so a concurrent writer makes this run fail, not overwrite. */
  resourceVersion?: string
}

/** The few API calls needed; the real one wraps @kubernetes/client-node, tests pass a fake. */
export interface CertsCluster {
  readSecret(namespace: string, name: string): Promise<StoredSecret | undefined>
  /** Creates the kubernetes.io/tls Secret when `previous` is undefined, else replaces it. */
  writeSecret(namespace: string, name: string, data: Record<string, string>, previous: StoredSecret | undefined): Promise<void>
  /** Sets caBundle (base64) on every webhook; 'missing' when the configuration does not exist. */
  setCaBundle(kind: WebhookKind, name: string, caBundle: string): Promise<'updated' | 'unchanged' | 'missing'>
}

export interface InClusterOptions extends Omit<RotationOptions, 'now'> {
  secret: string
  caSecret: string
  webhookConfiguration: string
  /** pre-install: the configurations are created after the Job; not finding them is expected. */
  allowMissingWebhooks: boolean
  now?: Date
  log: (line: string) => void
}

const pair = (s: StoredSecret | undefined): { cert: string; key: string } | undefined => {
  const cert = s?.data['tls.crt']
  const key = s?.data['tls.key']
  return cert !== undefined && key !== undefined && cert !== '' && key !== '' ? { cert, key } : undefined
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  return a !== undefined && Object.keys(b).every((k) => a[k] === b[k]) && Object.keys(a).every((k) => k in b)
}

export async function syncClusterCerts(cluster: CertsCluster, o: InClusterOptions): Promise<void> {
  const { namespace } = o
  const [caSecret, tlsSecret] = await Promise.all([cluster.readSecret(namespace, o.caSecret), cluster.readSecret(namespace, o.secret)])
  const stored: StoredCerts = {}
  const ca = pair(caSecret)
  const serving = pair(tlsSecret)
  if (ca !== undefined) stored.ca = ca
  if (serving !== undefined) stored.serving = serving
  if (tlsSecret?.data['ca.crt'] !== undefined) stored.bundle = tlsSecret.data['ca.crt']
  const plan = await planRotation(stored, { service: o.service, namespace, days: o.days, renewBeforeDays: o.renewBeforeDays, now: o.now ?? new Date() })
  for (const reason of plan.reasons) o.log(reason)

  const caData = { 'tls.crt': plan.ca.cert, 'tls.key': plan.ca.key }
  if (!sameData(caSecret?.data, caData)) {
    await cluster.writeSecret(namespace, o.caSecret, caData, caSecret)
    o.log(`wrote Secret ${namespace}/${o.caSecret} (CA)`)
  }

  const caBundle = Buffer.from(plan.bundle).toString('base64')
  for (const kind of WEBHOOK_KINDS) {
    const result = await cluster.setCaBundle(kind, o.webhookConfiguration, caBundle)
    if (result === 'missing' && !o.allowMissingWebhooks) {
      throw new WfeError('WFE_ERR_CONFIG', `${kind} ${o.webhookConfiguration} not found: install the chart's webhook configurations first (or pass --allow-missing-webhooks before they exist)`)
    }
    o.log(`${kind} ${o.webhookConfiguration}: caBundle ${result === 'missing' ? 'not set (configuration not created yet)' : result}`)
  }

  const tlsData = { 'tls.crt': plan.serving.cert, 'tls.key': plan.serving.key, 'ca.crt': plan.bundle }
  if (!sameData(tlsSecret?.data, tlsData)) {
    await cluster.writeSecret(namespace, o.secret, tlsData, tlsSecret)
    o.log(`wrote Secret ${namespace}/${o.secret} (serving pair; pods reload it without a restart)`)
  } else {
    o.log(`Secret ${namespace}/${o.secret} is current`)
  }
}

const notFound = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404

/** The real cluster, through @kubernetes/client-node (imported only here, only when used). */
export async function kubernetesCertsCluster(kubeconfig: string | undefined): Promise<CertsCluster> {
  const { k8s, kc } = await readKubeConfig(kubeconfig)
  const core = kc.makeApiClient(k8s.CoreV1Api)
  const adm = kc.makeApiClient(k8s.AdmissionregistrationV1Api)
  const decode = (data: Record<string, string> | undefined): Record<string, string> => Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))

  return {
    async readSecret(namespace, name) {
      try {
        const s = await core.readNamespacedSecret({ name, namespace })
        return { data: decode(s.data), ...(s.metadata?.resourceVersion !== undefined ? { resourceVersion: s.metadata.resourceVersion } : {}) }
      } catch (err) {
        if (notFound(err)) return undefined
        throw err
      }
    },
    async writeSecret(namespace, name, data, previous) {
      const body = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'wfe-admission', 'app.kubernetes.io/part-of': 'kubernaut' }, ...(previous?.resourceVersion !== undefined ? { resourceVersion: previous.resourceVersion } : {}) },
        stringData: data,
      }
      if (previous === undefined) await core.createNamespacedSecret({ namespace, body })
      else await core.replaceNamespacedSecret({ name, namespace, body })
    },
    async setCaBundle(kind, name, caBundle) {
      const validating = kind === 'ValidatingWebhookConfiguration'
      let config
      try {
        config = validating ? await adm.readValidatingWebhookConfiguration({ name }) : await adm.readMutatingWebhookConfiguration({ name })
      } catch (err) {
        if (notFound(err)) return 'missing'
        throw err
      }
      const webhooks = config.webhooks ?? []
      if (webhooks.every((w) => w.clientConfig.caBundle === caBundle)) return 'unchanged'
      for (const w of webhooks) w.clientConfig.caBundle = caBundle
      // Replace with the read resourceVersion: a concurrent change makes this run fail and retry.
      if (validating) await adm.replaceValidatingWebhookConfiguration({ name, body: config })
      else await adm.replaceMutatingWebhookConfiguration({ name, body: config })
      return 'updated'
    },
  }
}
