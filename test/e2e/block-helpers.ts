// What the target-block end-to-end files share: executions driven to a failure through /status as
// the controller does, the CLI run as a person, extra webhook replicas the apiserver calls, and a
// fast client for many requests (the propagation measurement).
import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { aFailedExecution } from '../helpers/objects.js'
import { ROOT } from '../cluster/tools.js'
import { loopbackCertificates, startWebhookServer, type WebhookServer } from '../cluster/webhook.js'
import { KubeApiError, kubeRequest } from '../../src/kube/request.js'
import { USERS, cluster, create, kubectlOk, patch, wfe, type K8sObject } from './harness.js'

const FAILED = aFailedExecution().status as K8sObject

/** A stored execution for `target`, left Running or driven to a failure during or before execution. */
export async function execution(ns: string, name: string, target: string, end: 'execution' | 'pre' | 'running'): Promise<void> {
  const made = await create(
    wfe(ns, name, (w) => {
      w.spec.targetResource = target
    }),
    { as: USERS.orchestrator },
  )
  if (made.code !== 0) throw new Error(`create ${name}: ${made.stderr}`)
  // A pre-execution failure happens now, so a backoff from it is still running; an execution failure keeps the fixture's time.
  const failedAt = end === 'pre' ? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') : FAILED['failureDetails'].failedAt
  const failed = { ...FAILED, failureDetails: { ...FAILED['failureDetails'], wasExecutionFailure: end === 'execution', failedAt } }
  const steps: K8sObject[] = [
    { phase: 'Pending' },
    { phase: 'Running', startTime: FAILED['startTime'] },
    ...(end === 'running' ? [] : [failed]),
  ]
  for (const status of steps) {
    const r = await patch(ns, name, { status }, { as: USERS.controller, status: true })
    if (r.code !== 0) throw new Error(`status ${String(status['phase'])} of ${name}: ${r.stderr}`)
  }
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** The built CLI as a person runs it; blocks and clear get the cluster's kubeconfig (pass --as to be someone). */
export function cli(argv: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'dist/cli/main.js'), ...argv, ...(argv[0] === 'check' ? [] : ['--kubeconfig', cluster.kubeconfig])],
      { cwd: ROOT, timeout: 120_000, env: { PATH: process.env['PATH'] ?? '' } },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? -1), stdout, stderr }),
    )
  })
}

/** A dry-run CREATE for `target` as the orchestrator: the webhooks' verdict, nothing stored. */
export async function verdictFor(ns: string, target: string): Promise<CliResult> {
  return create(
    wfe(ns, `probe-${Math.random().toString(36).slice(2, 8)}`, (w) => {
      w.spec.targetResource = target
    }),
    { as: USERS.orchestrator, dryRun: true },
  )
}

export interface Replica {
  server: WebhookServer
  name: string
  stop(): Promise<void>
  /** Starts it again on the same port with the same certificate (a pod restart). */
  restart(): Promise<void>
}

/**
 * One more replica on `cluster.webhookPorts[i]`, watching with the server's own ServiceAccount, and a
 * ValidatingWebhookConfiguration of its own: the apiserver then asks it too about every write.
 */
export async function extraReplica(i: number, extraArgs: readonly string[] = []): Promise<Replica> {
  const dir = join(cluster.dir, `block-replica-${i}-${Date.now()}`)
  await mkdir(dir, { recursive: true })
  const { caPem } = await loopbackCertificates(join(dir, 'certs'))
  const port = cluster.webhookPorts[i] as number
  let run = 0
  const start = (): Promise<WebhookServer> =>
    startWebhookServer({
      port,
      certDir: join(dir, 'certs'),
      logFile: join(dir, `server-${run++}.log`),
      kubeconfig: cluster.webhook.serverKubeconfig,
      extraArgs: ['--events=false', ...extraArgs],
    })
  const replica: Replica = {
    server: await start(),
    name: `wfe-admission-replica-${i}.kubernaut.ai`,
    stop: async () => {},
    restart: async () => {},
  }
  const config = JSON.parse(
    await kubectlOk(['get', 'validatingwebhookconfiguration', 'wfe-admission.kubernaut.ai', '-o', 'json']),
  ) as K8sObject
  for (const owned of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields']) delete config.metadata[owned]
  config.metadata.name = replica.name
  for (const w of config.webhooks as K8sObject[]) {
    const path = new URL(w.clientConfig.url as string).pathname
    w.name = w.name.replace(/\.kubernaut\.ai$/, `.replica-${i}.kubernaut.ai`)
    w.clientConfig = { url: `https://127.0.0.1:${port}${path}`, caBundle: Buffer.from(caPem).toString('base64') }
  }
  await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(config) })
  replica.stop = async () => {
    await kubectlOk(['delete', 'validatingwebhookconfiguration', replica.name, '--ignore-not-found'])
    await replica.server.stop()
  }
  replica.restart = async () => {
    await replica.server.stop()
    replica.server = await start()
  }
  return replica
}

/** wfe_admission_target_refusals_total{cause} on a server's /metrics. */
export async function refusals(probePort: number, cause: 'block' | 'backoff' = 'block'): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${probePort}/metrics`)).text()
  const m = new RegExp(`^wfe_admission_target_refusals_total\\{cause="${cause}"\\} (\\d+)`, 'm').exec(text)
  return Number(m?.[1] ?? NaN)
}

/** The admin kubeconfig through the product's own raw client: many requests without a kubectl process each. */
export async function fastClient(): Promise<
  (req: { method?: 'GET' | 'POST' | 'PATCH'; path: string; body?: unknown; as: string }) => Promise<{ ok: boolean; message: string }>
> {
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(cluster.kubeconfig)
  return async (req) => {
    try {
      await kubeRequest(kc, {
        method: req.method ?? 'GET',
        path: req.path,
        body: req.body,
        ...(req.method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
        as: req.as,
        timeoutMs: 30_000,
      })
      return { ok: true, message: '' }
    } catch (err) {
      if (err instanceof KubeApiError) return { ok: false, message: err.message }
      throw err
    }
  }
}
