// `--chart`: the webhook installed the way a Helm user installs it, so `helm upgrade` and
// `helm uninstall` can be tried on the loopback cluster. `helm install` of charts/wfe-admission into
// kubernaut-system with its CRD (crds/), ServiceAccount and RBAC, in tls.mode manual: the
// configurations point at the server on loopback (webhooks.url) with its CA (tls.caBundle). The
// chart's Deployment is created too, but nothing runs it (no scheduler, no Deployment controller);
// the server that answers is wfe-admission on 127.0.0.1 with the token of the chart's ServiceAccount,
// so what it may do is what the chart's RBAC grants.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import type { ControlPlane } from './control-plane.js'
import { ClusterError } from './processes.js'
import { ROOT } from './tools.js'
import {
  SERVER_NAMESPACE,
  awaitWebhooks,
  startInstalledServer,
  waitForCrd,
  webhookCertificates,
  type InstalledWebhook,
  type K8sObject,
} from './webhook.js'
import { kubectlOrThrow } from './kubectl.js'

export const RELEASE = 'wfe-admission'
export const CHART = join(ROOT, 'charts/wfe-admission')

export interface InstalledChart extends InstalledWebhook {
  release: string
  namespace: string
  /** The helm install line, as a user would type it (for the log and cluster.json). */
  command: string
}

export function runHelm(
  helm: string,
  kubeconfig: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      helm,
      [...args, '--kubeconfig', kubeconfig],
      { cwd: ROOT, timeout: 180_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1
        resolve({ code, stdout, stderr: err !== null && stderr === '' ? err.message : stderr })
      },
    )
  })
}

/** The values that point the chart's webhooks at the server on loopback. */
export function loopbackChartValues(caFile: string, url: string): string[] {
  return ['--set', 'tls.mode=manual', '--set-file', `tls.caBundle=${caFile}`, '--set', `webhooks.url=${url}`]
}

export async function installChart(cp: ControlPlane, helm: string, log: (line: string) => void = () => {}): Promise<InstalledChart> {
  const { certDir, caPem } = await webhookCertificates(cp)
  const caFile = join(certDir, 'ca.crt')
  const url = `https://127.0.0.1:${cp.webhookPorts[0] as number}`
  const args = ['install', RELEASE, CHART, '-n', SERVER_NAMESPACE, '--create-namespace', ...loopbackChartValues(caFile, url)]
  const command = `helm ${args.map((a) => (a === CHART ? 'charts/wfe-admission' : a)).join(' ')}`
  log(command)
  const installed = await runHelm(helm, cp.kubeconfig, args)
  if (installed.code !== 0) throw new ClusterError(`helm install failed: ${installed.stderr.trim()}`)
  await waitForCrd(cp)
  // The configurations exist from here on and fail closed until the server answers: writes of
  // WorkflowExecutions wait for DIR/ready, as in a cluster whose pods are starting.
  const server = await startInstalledServer(cp, certDir, log)
  try {
    await awaitWebhooks(cp, server)
    const list = await kubectlOrThrow(cp.kubectl, cp.kubeconfig, [
      'get',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      '-l',
      `app.kubernetes.io/instance=${RELEASE}`,
      '-o',
      'json',
    ])
    const configurations = (JSON.parse(list) as { items: K8sObject[] }).items
    return {
      server,
      caPem,
      configurations,
      serverKubeconfig: join(cp.dir, 'wfe-admission.kubeconfig'),
      release: RELEASE,
      namespace: SERVER_NAMESPACE,
      command,
    }
  } catch (err) {
    await server.stop()
    throw err
  }
}
