// What every end-to-end test file uses: the running cluster (from $WFE_E2E_DIR, written by
// test/e2e/run.ts), kubectl as any user, fresh namespaces, reading back stored objects and Events,
// and waiting for the server's log lines. Tests run one file at a time against one cluster.
import { randomBytes } from 'node:crypto'
import { watch, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ClusterInfo } from '../cluster/main.js'
import { runKubectl, type KubectlOptions, type KubectlResult } from '../cluster/kubectl.js'
import { waitUntil } from '../cluster/processes.js'
import { webhookState } from '../cluster/webhook.js'
import { aWorkflowExecution } from '../helpers/objects.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'

const DIR = process.env['WFE_E2E_DIR']
if (DIR === undefined || DIR === '') {
  throw new Error('WFE_E2E_DIR is not set: run the end-to-end suite with `npm run e2e` (it starts the control plane)')
}

export const cluster: ClusterInfo & { webhook: NonNullable<ClusterInfo['webhook']> } = JSON.parse(
  readFileSync(join(DIR, 'cluster.json'), 'utf8'),
)

/** The people and service accounts the tests act as (`kubectl --as`). */
export const USERS = {
  alice: 'alice@example.com',
  bob: 'bob@example.com',
  controller: 'system:serviceaccount:kubernaut-system:workflowexecution-controller',
  orchestrator: 'system:serviceaccount:kubernaut-system:remediationorchestrator-controller',
  garbageCollector: 'system:serviceaccount:kube-system:generic-garbage-collector',
} as const

// Objects read back from the apiserver are untyped JSON; each test narrows what it reads.
export type K8sObject = Record<string, any>

/** kubectl against the cluster; a denial is a result (code, stderr), not an exception. */
export function kubectl(args: readonly string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return runKubectl(cluster.kubectl, cluster.kubeconfig, args, opts)
}

/** kubectl that must succeed; throws with kubectl's own message otherwise. */
export async function kubectlOk(args: readonly string[], opts: KubectlOptions = {}): Promise<string> {
  const r = await kubectl(args, opts)
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}

/** A fresh namespace for one test file (names stay unique across runs of one cluster). */
export async function namespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase().slice(0, 63)
  await kubectlOk(['create', 'namespace', name])
  return name
}

/**
 * A valid WorkflowExecution for `ns`, without the uid a hand-built review carries. Its target is its
 * own (`NS/Deployment/NAME`): a target blocked by one test's failed execution must not refuse
 * another test's CREATE (docs/blocks.md).
 */
export function wfe(ns: string, name: string, patch: (w: WorkflowExecution) => void = () => {}): WorkflowExecution {
  return aWorkflowExecution((w) => {
    w.metadata = { name, namespace: ns, labels: { 'kubernaut.ai/remediation': `rr-${name}` } }
    w.spec.remediationRequestRef = { ...w.spec.remediationRequestRef, name: `rr-${name}`, namespace: ns }
    w.spec.targetResource = `${ns}/Deployment/${name}`
    patch(w)
  })
}

/** `kubectl create -f -` with the object as JSON; returns kubectl's result (warnings are on stderr). */
export function create(obj: object, opts: KubectlOptions & { dryRun?: boolean } = {}): Promise<KubectlResult> {
  const args = ['create', '-o', 'json', '-f', '-']
  if (opts.dryRun === true) args.push('--dry-run=server')
  return kubectl(args, { ...opts, input: JSON.stringify(obj) })
}

/** The stored object, as the apiserver returns it. */
export async function get(ns: string, name: string, resource = 'workflowexecutions.kubernaut.ai'): Promise<K8sObject> {
  return JSON.parse(await kubectlOk(['get', resource, name, '-n', ns, '-o', 'json'])) as K8sObject
}

/** A merge patch (or json patch) on the object or its status; returns kubectl's result. */
export function patch(
  ns: string,
  name: string,
  body: unknown,
  opts: KubectlOptions & { type?: 'merge' | 'json'; status?: boolean; dryRun?: boolean } = {},
): Promise<KubectlResult> {
  const args = [
    'patch',
    'workflowexecutions.kubernaut.ai',
    name,
    '-n',
    ns,
    `--type=${opts.type ?? 'merge'}`,
    '-p',
    JSON.stringify(body),
    '-o',
    'json',
  ]
  if (opts.status === true) args.push('--subresource=status')
  if (opts.dryRun === true) args.push('--dry-run=server')
  return kubectl(args, opts)
}

/** Events in `ns`, optionally only those about one object. */
export async function events(ns: string, involvedName?: string): Promise<K8sObject[]> {
  const args = ['get', 'events', '-n', ns, '-o', 'json']
  if (involvedName !== undefined) args.push(`--field-selector=involvedObject.name=${involvedName}`)
  return (JSON.parse(await kubectlOk(args)) as { items: K8sObject[] }).items
}

/** Every JSON line the webhook server has logged so far. */
export async function serverLog(file = cluster.webhook.log): Promise<K8sObject[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as K8sObject
      } catch {
        return {}
      }
    })
}

/**
 * The first log line matching `match`, waiting for the file to grow (fs.watch, plus a re-read every
 * half second in case a change notification is missed); rejects after `timeoutMs`.
 */
export function waitForLog(match: (line: K8sObject) => boolean, opts: { timeoutMs?: number; file?: string } = {}): Promise<K8sObject> {
  const file = opts.file ?? cluster.webhook.log
  return new Promise((resolve, reject) => {
    let done = false
    const check = async (): Promise<void> => {
      if (done) return
      const hit = (await serverLog(file)).find(match)
      if (hit !== undefined && !done) {
        done = true
        cleanup()
        resolve(hit)
      }
    }
    const watcher = watch(file, () => {
      void check()
    })
    const poll = setInterval(() => {
      void check()
    }, 500)
    const timer = setTimeout(() => {
      if (!done) {
        done = true
        cleanup()
        reject(new Error(`no log line matched within ${(opts.timeoutMs ?? 30_000) / 1000}s in ${file}`))
      }
    }, opts.timeoutMs ?? 30_000)
    const cleanup = (): void => {
      watcher.close()
      clearInterval(poll)
      clearTimeout(timer)
    }
    void check()
  })
}

/** Lines logged after this call: take a mark before acting, read what the action logged after. */
export async function logMark(file = cluster.webhook.log): Promise<() => Promise<K8sObject[]>> {
  const seen = (await serverLog(file)).length
  return async () => (await serverLog(file)).slice(seen)
}

/**
 * Asks `probe` again until it returns a value (the apiserver has the Event, the object changed…),
 * failing after `timeoutMs`: waiting for an observable state, not for an amount of time.
 */
export function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs })
}

/** Audit lines (the `audit` logger) about one WorkflowExecution. */
export async function auditLines(ns: string, name: string): Promise<K8sObject[]> {
  return (await serverLog()).filter((l) => l.logger === 'audit' && l.resource?.namespace === ns && l.resource?.name === name)
}

/** The kube-apiserver's audit events (DIR/logs/audit.log, written under test/cluster's audit policy) that `match`. */
export async function apiserverAudit(match: (event: K8sObject) => boolean): Promise<K8sObject[]> {
  const text = await readFile(join(cluster.dir, 'logs', 'audit.log'), 'utf8').catch(() => '')
  const out: K8sObject[] = []
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      const e = JSON.parse(line) as K8sObject
      if (match(e)) out.push(e)
    } catch {
      // A line being written.
    }
  }
  return out
}

/** The audit annotations our validating (or mutating) webhook put on one apiserver audit event, unprefixed. */
export function webhookAnnotations(event: K8sObject, webhook = 'validate.workflowexecution.kubernaut.ai'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries((event.annotations ?? {}) as Record<string, string>))
    if (k.startsWith(`${webhook}/`)) out[k.slice(webhook.length + 1)] = v
  return out
}

/** controller_runtime_webhook_requests_total summed per webhook path, read from the server's /metrics. */
export async function webhookCalls(probePort = cluster.webhook.probePort): Promise<Record<string, number>> {
  const res = await fetch(`http://127.0.0.1:${probePort}/metrics`)
  const text = await res.text()
  const calls: Record<string, number> = {}
  for (const m of text.matchAll(/^controller_runtime_webhook_requests_total\{([^}]*)\} (\d+)/gm)) {
    const path = /webhook="([^"]*)"/.exec(m[1] ?? '')?.[1] ?? ''
    calls[path] = (calls[path] ?? 0) + Number(m[2])
  }
  return calls
}

const CONFIGURATION = 'wfe-admission.kubernaut.ai'

/** Both webhook configurations as stored, without the fields the apiserver owns, to apply back later. */
async function savedConfigurations(): Promise<string> {
  const out: K8sObject[] = []
  for (const kind of ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration']) {
    const o = JSON.parse(await kubectlOk(['get', kind, CONFIGURATION, '-o', 'json'])) as K8sObject
    for (const owned of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields']) delete o.metadata[owned]
    out.push(o)
  }
  return out.map((o) => JSON.stringify(o)).join('\n')
}

/** Waits until the apiserver calls both webhooks (`true`) or neither (`false`), seen from outside. */
export function webhooksCalled(both: boolean): Promise<true> {
  return eventually(
    both ? 'both webhooks answering' : 'neither webhook called',
    async () => {
      const s = await webhookState(cluster)
      if (s === undefined) return undefined
      return (both ? s.mutating && s.validating : !s.mutating && !s.validating) ? true : undefined
    },
    60_000,
  )
}

/**
 * Deletes both webhook configurations (what only the CRD enforces is then visible) and returns the
 * function that applies them back and waits until both answer again; it is idempotent.
 */
export async function unregisterWebhooks(): Promise<() => Promise<void>> {
  const saved = await savedConfigurations()
  await kubectlOk(['delete', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', CONFIGURATION])
  await webhooksCalled(false)
  let restored = false
  return async () => {
    if (restored) return
    restored = true
    await kubectlOk(['apply', '-f', '-'], { input: saved })
    await webhooksCalled(true)
  }
}
