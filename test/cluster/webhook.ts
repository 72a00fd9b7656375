// `--webhook`: the CRD, wfe-admission serving on loopback with the shipped RBAC, and the two webhook
// configurations from manifests/ pointed at it. What the apiserver runs is what a user installs:
// only clientConfig (a loopback URL instead of the in-cluster Service) and caBundle are rewritten.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { issueCertificates, writeCertificates } from '../../src/certs/generate.js'
import type { ControlPlane } from './control-plane.js'
import { kubectlOrThrow, runKubectl } from './kubectl.js'
import { kubeconfig } from './pki.js'
import { answers200, ClusterError, loopbackPort, startProcess, waitUntil, type Managed } from './processes.js'
import { ROOT } from './tools.js'
import { kustomize } from '../manifests/kustomize.js'

export const SERVER_NAMESPACE = 'kubernaut-system'
export const SERVER_ACCOUNT = 'wfe-admission'
const WEBHOOK_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'])
const RBAC_KINDS = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'])

type Kubectl = Pick<ControlPlane, 'kubectl' | 'kubeconfig'>

// Manifests are untyped YAML; the fields read here are checked where they are used.
export type K8sObject = Record<string, any>

export interface WebhookServer {
  port: number
  probePort: number
  certDir: string
  logFile: string
  process: Managed
  stop(): Promise<void>
}

export interface ServeOptions {
  port: number
  certDir: string
  logFile: string
  clientCa?: string
  kubeconfig?: string
  extraArgs?: readonly string[]
}

/** Serving certificates for 127.0.0.1 signed by a fresh CA (tls.crt, tls.key, ca.crt in certDir). */
export async function loopbackCertificates(certDir: string): Promise<{ caPem: string }> {
  const issued = await issueCertificates({ days: 30 })
  await writeCertificates(certDir, issued)
  return { caPem: issued.ca.cert }
}

/** Starts the built server (dist/) on 127.0.0.1 and waits until its /readyz says so. */
export async function startWebhookServer(opts: ServeOptions): Promise<WebhookServer> {
  const probePort = await loopbackPort()
  // Node flags for the server alone (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it in bench step 7).
  const nodeFlags = (process.env['WFE_SERVE_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '')
  const args = [
    ...nodeFlags,
    join(ROOT, 'dist/cli/main.js'),
    'serve',
    '--bind-address=127.0.0.1',
    `--port=${opts.port}`,
    `--probe-port=${probePort}`,
    `--cert-dir=${opts.certDir}`,
  ]
  if (opts.clientCa !== undefined) args.push(`--client-ca=${opts.clientCa}`)
  if (opts.kubeconfig !== undefined) args.push(`--kubeconfig=${opts.kubeconfig}`)
  else args.push('--events=false')
  args.push(...(opts.extraArgs ?? []))
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WFE_')))
  const proc = startProcess('wfe-admission', process.execPath, args, opts.logFile, env)
  await waitUntil(`wfe-admission answered /readyz on 127.0.0.1:${probePort}`, () => answers200(`http://127.0.0.1:${probePort}/readyz`), {
    timeoutMs: 60_000,
    process: proc,
  })
  return { port: opts.port, probePort, certDir: opts.certDir, logFile: opts.logFile, process: proc, stop: () => proc.stop(30_000) }
}

/** The shipped webhook configurations with clientConfig pointed at https://127.0.0.1:PORT. */
export function loopbackWebhookConfigurations(objects: readonly K8sObject[], port: number, caPem: string): K8sObject[] {
  const caBundle = Buffer.from(caPem).toString('base64')
  return objects
    .filter((o) => WEBHOOK_KINDS.has(o['kind'] as string))
    .map((o) => {
      const copy = structuredClone(o)
      for (const w of copy['webhooks'] as K8sObject[]) {
        const path = (w['clientConfig']?.['service']?.['path'] as string | undefined) ?? ''
        w['clientConfig'] = { url: `https://127.0.0.1:${port}${path}`, caBundle }
      }
      return copy
    })
}

export async function applyObjects(cp: Kubectl, objects: readonly K8sObject[]): Promise<void> {
  const input = objects.map((o) => JSON.stringify(o)).join('\n')
  await kubectlOrThrow(cp.kubectl, cp.kubeconfig, ['apply', '-f', '-'], { input })
}

/** A kubeconfig holding a token of the server's own ServiceAccount, bound by the shipped RBAC only. */
async function serviceAccountKubeconfig(cp: ControlPlane, file: string): Promise<void> {
  const token = (
    await kubectlOrThrow(cp.kubectl, cp.kubeconfig, ['create', 'token', SERVER_ACCOUNT, '-n', SERVER_NAMESPACE, '--duration=48h'])
  ).trim()
  await writeFile(file, kubeconfig(cp.server, cp.pki.ca.cert, { token }), { mode: 0o600 })
}

const PROBE_OBJECT = {
  apiVersion: 'kubernaut.ai/v1alpha1',
  kind: 'WorkflowExecution',
  metadata: { name: 'wfe-ready-probe', namespace: 'default' },
  spec: {
    remediationRequestRef: {
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'RemediationRequest',
      name: 'rr-ready-probe',
      namespace: 'default',
    },
    workflowRef: { workflowId: 'restart-deployment', version: 'v1.0.0', executionBundle: 'ghcr.io/kubernaut/workflows/restart:v1.0.0' },
    targetResource: 'default/Deployment/ready-probe',
  },
}

/**
 * Which of our webhooks the apiserver calls right now, seen from outside: a dry-run create without
 * a timeout comes back defaulted only through the mutating webhook, and a parameter name that the
 * CRD allows is refused only by the validating one. Undefined while the CRD is not served yet or a
 * webhook call fails (a server down, a TLS error).
 */
export async function webhookState(cp: Kubectl): Promise<{ mutating: boolean; validating: boolean } | undefined> {
  const args = ['create', '--dry-run=server', '-o', 'json', '-f', '-']
  const ok = await runKubectl(cp.kubectl, cp.kubeconfig, args, { input: JSON.stringify(PROBE_OBJECT) })
  if (ok.code !== 0) {
    if (/no matches for kind|the server could not find|failed calling webhook/.test(ok.stderr)) return undefined
    throw new ClusterError(`a valid dry-run create was refused: ${ok.stderr.trim()}`)
  }
  const mutating = (JSON.parse(ok.stdout) as K8sObject)['spec']?.['executionConfig']?.['timeout'] !== undefined
  const bad = { ...PROBE_OBJECT, spec: { ...PROBE_OBJECT.spec, parameters: { '1-not-a-name': 'x' } } }
  const denied = await runKubectl(cp.kubectl, cp.kubeconfig, args, { input: JSON.stringify(bad) })
  if (denied.code !== 0 && /failed calling webhook/.test(denied.stderr)) return undefined
  return {
    mutating,
    validating: denied.code !== 0 && /admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied/.test(denied.stderr),
  }
}

/** Both webhooks answer for real (the apiserver picks configurations up asynchronously). */
export async function webhooksAnswering(cp: Kubectl): Promise<true | undefined> {
  const state = await webhookState(cp)
  return state?.mutating === true && state.validating ? true : undefined
}

export interface InstalledWebhook {
  server: WebhookServer
  caPem: string
  configurations: K8sObject[]
  serverKubeconfig: string
}

/** Applies the CRD from manifests/crd and waits until it is served. */
export async function applyCrd(cp: Kubectl): Promise<void> {
  await kubectlOrThrow(cp.kubectl, cp.kubeconfig, ['apply', '-k', join(ROOT, 'manifests/crd')])
  await waitForCrd(cp)
}

export async function waitForCrd(cp: Kubectl): Promise<void> {
  await kubectlOrThrow(cp.kubectl, cp.kubeconfig, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/workflowexecutions.kubernaut.ai',
  ])
}

/** Fresh serving certificates for 127.0.0.1 in DIR/webhook-certs. */
export async function webhookCertificates(cp: ControlPlane): Promise<{ certDir: string; caPem: string }> {
  const certDir = join(cp.dir, 'webhook-certs')
  await mkdir(certDir, { recursive: true })
  const { caPem } = await loopbackCertificates(certDir)
  return { certDir, caPem }
}

/**
 * wfe-admission on the first webhook port with the token of its ServiceAccount (which must exist: the
 * shipped RBAC or the chart made it), requiring the apiserver's client certificate.
 */
export async function startInstalledServer(cp: ControlPlane, certDir: string, log: (line: string) => void): Promise<WebhookServer> {
  const serverKubeconfig = join(cp.dir, 'wfe-admission.kubeconfig')
  await serviceAccountKubeconfig(cp, serverKubeconfig)
  const port = cp.webhookPorts[0] as number
  log(`wfe-admission serve on https://127.0.0.1:${port}`)
  return startWebhookServer({
    port,
    certDir,
    logFile: join(cp.dir, 'logs', 'wfe-admission.log'),
    clientCa: cp.pki.file('webhook-client-ca.crt'),
    kubeconfig: serverKubeconfig,
    // On loopback no endpoints have to drop the server first: a stop need not wait out the drain delay.
    // A loopback admission marker lands within milliseconds; the e2e waits this long for an unadmitted record.
    extraArgs: ['--drain-delay=0s', '--audit-admission-grace=10s'],
  })
}

/** Waits until a dry-run create went through both webhooks; stops the server if that never happens. */
export async function awaitWebhooks(cp: ControlPlane, server: WebhookServer): Promise<void> {
  await waitUntil('a dry-run create went through both webhooks', () => webhooksAnswering(cp), {
    timeoutMs: 60_000,
    process: server.process,
  })
}

export async function installWebhook(cp: ControlPlane, log: (line: string) => void = () => {}): Promise<InstalledWebhook> {
  log('applying manifests/crd')
  await applyCrd(cp)
  const objects = await kustomize('manifests')
  log('applying the namespace, ServiceAccount and RBAC from manifests/base')
  await applyObjects(
    cp,
    objects.filter((o) => RBAC_KINDS.has(o['kind'])),
  )
  const { certDir, caPem } = await webhookCertificates(cp)
  const server = await startInstalledServer(cp, certDir, log)
  try {
    const configurations = loopbackWebhookConfigurations(objects, server.port, caPem)
    log('applying the webhook configurations from manifests/base')
    await applyObjects(cp, configurations)
    await awaitWebhooks(cp, server)
    return { server, caPem, configurations, serverKubeconfig: join(cp.dir, 'wfe-admission.kubeconfig') }
  } catch (err) {
    await server.stop()
    throw err
  }
}
