// The Helm chart against the real kube-apiserver: `helm install` with tls.mode manual pointing the
// webhooks at the suite's server on loopback (webhooks.url, its CA as tls.caBundle), the smoke flow
// through the chart-installed configurations, `helm upgrade` with a changed value, and
// `helm uninstall` leaving no webhook configuration. The shared configurations (applied from
// manifests/ by the suite) make way for the release and are put back in teardown.
import t from 'tap'
import { execFile } from 'node:child_process'
import { HELM, ROOT, resolveTool } from '../helpers/tools.js'
import { USERS, cluster, create, get, kubectl, kubectlOk, namespace, wfe, type K8sObject } from './harness.js'

const CONFIGS = 'validatingwebhookconfiguration,mutatingwebhookconfiguration'
const NAME = 'wfe-admission.kubernaut.ai'
const helmPath = resolveTool(HELM)

function helm(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      helmPath,
      [...args, '--kubeconfig', cluster.kubeconfig],
      { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

const release = await namespace('e2e-helm-release')
const ns = await namespace('e2e-helm')
const shared = JSON.parse(await kubectlOk(['get', CONFIGS, NAME, '-o', 'json'])) as { items: K8sObject[] }

t.teardown(async () => {
  await helm(['uninstall', 'wfe-admission', '-n', release, '--wait'])
  const items = shared.items.map((o) => {
    const {
      resourceVersion: _rv,
      uid: _uid,
      creationTimestamp: _ct,
      managedFields: _mf,
      generation: _g,
      ...metadata
    } = o['metadata'] as Record<string, unknown>
    return { ...o, metadata }
  })
  await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) })
})

const installed = async (): Promise<K8sObject[]> =>
  (JSON.parse(await kubectlOk(['get', CONFIGS, '-l', 'app.kubernetes.io/managed-by=Helm', '-o', 'json'])) as { items: K8sObject[] }).items

t.test('helm install (tls.mode manual, webhooks on loopback) registers both configurations', async (t) => {
  await kubectlOk(['delete', CONFIGS, NAME])
  const r = await helm([
    'install',
    'wfe-admission',
    'charts/wfe-admission',
    '-n',
    release,
    '--skip-crds',
    '--set',
    'tls.mode=manual',
    '--set-file',
    `tls.caBundle=${cluster.webhook.caFile}`,
    '--set',
    `webhooks.url=${cluster.webhook.url}`,
    // The suite's server already has the events ClusterRole from manifests/ under the same name.
    '--set',
    'rbac.create=false',
  ])
  t.equal(r.code, 0, r.stderr)
  const configs = await installed()
  t.same(configs.map((c) => `${String(c['kind'])}/${String(c['metadata'].name)}`).sort(), [
    `MutatingWebhookConfiguration/${NAME}`,
    `ValidatingWebhookConfiguration/${NAME}`,
  ])
  for (const c of configs) t.equal(c['metadata'].annotations?.['meta.helm.sh/release-namespace'], release, 'owned by the release')
})

t.test("smoke through the chart's configurations: create defaulted with a warning, a denial", async (t) => {
  const created = await create(wfe(ns, 'helm-defaulted'), { as: USERS.orchestrator })
  t.equal(created.code, 0, created.stderr)
  t.match(created.stderr, /^Warning: spec\.executionConfig\.timeout: .*defaulted/m, 'the mutating webhook answered')
  t.type((await get(ns, 'helm-defaulted')).spec.executionConfig?.timeout, 'string', 'the default is stored')
  const denied = await create(
    wfe(ns, 'helm-bad-timeout', (w) => {
      w.spec.executionConfig = { timeout: 'half an hour' }
    }),
    { as: USERS.orchestrator },
  )
  t.not(denied.code, 0)
  t.match(
    denied.stderr,
    /admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied the request: spec\.executionConfig\.timeout: Invalid value: "half an hour"/,
  )
})

t.test('helm upgrade with a changed value changes what the apiserver calls', async (t) => {
  const r = await helm([
    'upgrade',
    'wfe-admission',
    'charts/wfe-admission',
    '-n',
    release,
    '--reuse-values',
    '--set',
    'webhooks.timeoutSeconds=7',
    // Leave the test namespace out: the same bad write is no longer sent to the webhook.
    '--set',
    `webhooks.namespaceSelector.matchExpressions[0].key=kubernetes.io/metadata.name`,
    '--set',
    'webhooks.namespaceSelector.matchExpressions[0].operator=NotIn',
    '--set',
    `webhooks.namespaceSelector.matchExpressions[0].values={kube-system,${ns}}`,
  ])
  t.equal(r.code, 0, r.stderr)
  const hooks = (await installed()).flatMap((c) => c['webhooks'] as K8sObject[])
  t.equal(hooks.length, 3)
  for (const h of hooks) {
    t.equal(h['timeoutSeconds'], 7, String(h['name']))
    t.ok(h['clientConfig'].caBundle, `${String(h['name'])}: caBundle kept`)
  }
  const skipped = await create(
    wfe(ns, 'helm-not-checked', (w) => {
      w.spec.executionConfig = { timeout: 'half an hour' }
    }),
    { as: USERS.orchestrator },
  )
  t.equal(skipped.code, 0, `outside the namespaceSelector the webhook is not called: ${skipped.stderr}`)
})

t.test('helm uninstall leaves no webhook configuration behind', async (t) => {
  const r = await helm(['uninstall', 'wfe-admission', '-n', release, '--wait'])
  t.equal(r.code, 0, r.stderr)
  const left = await kubectl(['get', CONFIGS, NAME, '--ignore-not-found', '-o', 'name'])
  t.equal(left.stdout.trim(), '', 'neither configuration exists')
  const crd = await kubectl(['get', 'crd', 'workflowexecutions.kubernaut.ai', '-o', 'name'])
  t.equal(crd.code, 0, 'the CRD stays: deleting it would delete every WorkflowExecution')
})
