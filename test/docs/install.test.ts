// docs/install.md gives commands to paste during an outage; this keeps them true to the manifests:
// every kustomize path builds, every patched webhook index exists, every named object and alert is
// one the manifests define.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, kustomize, one, type K8sObject } from '../manifests/kustomize.js'

const doc = readFileSync(join(ROOT, 'docs/install.md'), 'utf8')
const built = new Map<string, K8sObject[]>()
for (const [, path = ''] of doc.matchAll(/kubectl apply -k (manifests\/[\w/-]*)/g)) {
  if (!built.has(path)) built.set(path, await kustomize(path))
}
const everything = [...built.values()].flat()

t.test('every `kubectl apply -k manifests/...` in the guide builds', async (t) => {
  t.same([...built.keys()].sort(), ['manifests/', 'manifests/overlays/cert-manager/', 'manifests/overlays/with-monitoring/'])
  for (const [path, objects] of built) t.ok(objects.length > 10, `${path}: ${objects.length} objects`)
})

t.test('patch commands address webhooks that exist, and cover all of them', async (t) => {
  const base = built.get('manifests/') ?? []
  for (const line of doc.split('\n').filter((l) => l.startsWith('kubectl patch '))) {
    const [, kind = '', name = ''] = /^kubectl patch (\w+) (\S+)/.exec(line) ?? []
    const config = one(
      base,
      kind === 'validatingwebhookconfiguration' ? 'ValidatingWebhookConfiguration' : 'MutatingWebhookConfiguration',
      name,
    )
    const indexes = [...line.matchAll(/\/webhooks\/(\d+)\//g)].map((m) => Number(m[1]))
    t.same(
      indexes,
      config.webhooks.map((_: unknown, i: number) => i),
      `${kind}: ${line.slice(0, 60)}…`,
    )
  }
})

t.test("names the guide uses are the manifests' names", async (t) => {
  const names = new Set(everything.map((o) => `${o.kind}/${o.metadata.name}`))
  for (const n of [
    'ValidatingWebhookConfiguration/wfe-admission.kubernaut.ai',
    'MutatingWebhookConfiguration/wfe-admission.kubernaut.ai',
    'Certificate/wfe-admission-serving',
    'Deployment/wfe-admission',
    'Certificate/wfe-admission-ca',
  ]) {
    t.ok(names.has(n), n)
  }
  const secrets = everything.flatMap((o) => (o.kind === 'Certificate' ? [o.spec.secretName] : []))
  for (const [, s] of doc.matchAll(/delete secret (\S+)/g)) t.ok(s === 'wfe-admission-tls' || secrets.includes(s), `secret ${String(s)}`)
  const alerts = new Set(
    everything
      .filter((o) => o.kind === 'PrometheusRule')
      .flatMap((o) => o.spec.groups.flatMap((g: { rules: { alert: string }[] }) => g.rules.map((r) => r.alert))),
  )
  for (const [, a] of doc.matchAll(/`(WfeAdmission\w+)`/g)) t.ok(alerts.has(a), `alert ${String(a)}`)
})
