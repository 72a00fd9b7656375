// certs --in-cluster against an in-memory cluster: what is written, in which order, and that a
// second run (helm upgrade) writes nothing.
import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { syncClusterCerts, type CertsCluster, type InClusterOptions, type StoredSecret, type WebhookKind } from '../../src/certs/in-cluster.js'
import { certsInCluster } from '../../src/cli/commands/certs-in-cluster.js'
import { runCli } from '../helpers/cli.js'
import { parseFlags } from '../../src/cli/args.js'
import { CERTS_FLAGS } from '../../src/cli/flags.js'

function fakeCluster(opts: { webhooks: boolean }): CertsCluster & { secrets: Map<string, StoredSecret>; bundles: Map<string, string[]>; calls: string[] } {
  const secrets = new Map<string, StoredSecret>()
  const bundles = new Map<string, string[]>()
  if (opts.webhooks) {
    bundles.set('ValidatingWebhookConfiguration', [''])
    bundles.set('MutatingWebhookConfiguration', ['', ''])
  }
  const calls: string[] = []
  let version = 0
  return {
    secrets, bundles, calls,
    async readSecret(ns, name) { return secrets.get(`${ns}/${name}`) },
    async writeSecret(ns, name, data, previous) {
      const current = secrets.get(`${ns}/${name}`)
      if ((previous === undefined) !== (current === undefined) || previous?.resourceVersion !== current?.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 })
      calls.push(`secret ${name}`)
      secrets.set(`${ns}/${name}`, { data: { ...data }, resourceVersion: String(++version) })
    },
    async setCaBundle(kind: WebhookKind, name, caBundle) {
      const hooks = bundles.get(kind)
      if (hooks === undefined || name !== 'wfe-admission.kubernaut.ai') return 'missing'
      if (hooks.every((b) => b === caBundle)) return 'unchanged'
      calls.push(`caBundle ${kind}`)
      bundles.set(kind, hooks.map(() => caBundle))
      return 'updated'
    },
  }
}

const base: InClusterOptions = {
  service: 'wfe-admission', namespace: 'kubernaut-system', days: 365, renewBeforeDays: 30,
  secret: 'wfe-admission-tls', caSecret: 'wfe-admission-ca', webhookConfiguration: 'wfe-admission.kubernaut.ai',
  allowMissingWebhooks: false, log: () => {},
}

t.test('install: pre Job writes the Secrets, post Job the caBundles; an upgrade writes nothing', async (t) => {
  const cluster = fakeCluster({ webhooks: false })
  await syncClusterCerts(cluster, { ...base, allowMissingWebhooks: true })
  t.same(cluster.calls, ['secret wfe-admission-ca', 'secret wfe-admission-tls'])
  const tls = cluster.secrets.get('kubernaut-system/wfe-admission-tls')?.data ?? {}
  t.same(Object.keys(tls).sort(), ['ca.crt', 'tls.crt', 'tls.key'], 'the pods get no CA key')
  t.ok(new X509Certificate(tls['tls.crt'] ?? '').checkIssued(new X509Certificate(tls['ca.crt'] ?? '')))

  cluster.bundles.set('ValidatingWebhookConfiguration', [''])
  cluster.bundles.set('MutatingWebhookConfiguration', ['', ''])
  cluster.calls.length = 0
  await syncClusterCerts(cluster, base)
  t.same(cluster.calls, ['caBundle ValidatingWebhookConfiguration', 'caBundle MutatingWebhookConfiguration'], 'post-install: only the bundles')
  const expected = Buffer.from(tls['ca.crt'] ?? '').toString('base64')
  t.same(cluster.bundles.get('MutatingWebhookConfiguration'), [expected, expected], 'every webhook entry')

  cluster.calls.length = 0
  await syncClusterCerts(cluster, base)
  t.same(cluster.calls, [], 'idempotent: helm upgrade and the CronJob change nothing while the pair is valid')
})

t.test('rotation writes the bundle before the serving Secret the pods reload', async (t) => {
  const cluster = fakeCluster({ webhooks: true })
  await syncClusterCerts(cluster, base)
  cluster.calls.length = 0
  await syncClusterCerts(cluster, { ...base, now: new Date(Date.now() + 3400 * 24 * 3600 * 1000) })
  t.same(cluster.calls, ['secret wfe-admission-ca', 'caBundle ValidatingWebhookConfiguration', 'caBundle MutatingWebhookConfiguration', 'secret wfe-admission-tls'])
})

t.test('missing configurations fail the post Job, naming them', async (t) => {
  await t.rejects(syncClusterCerts(fakeCluster({ webhooks: false }), base), /ValidatingWebhookConfiguration wfe-admission\.kubernaut\.ai not found/)
})

t.test('CLI: flags are checked before any API call; API refusals are one line', async (t) => {
  const bad = await runCli(['certs', '--in-cluster', '--service', 'wfe-admission', '--days', '10', '--renew-before-days', '10'])
  t.equal(bad.code, 2)
  t.equal(bad.stderr, 'wfe-admission certs: --renew-before-days: invalid value "10": must be a whole number from 1 to 9 (below --days)\n')
  const same = await runCli(['certs', '--in-cluster', '--service', 'wfe-admission', '--ca-secret', 'wfe-admission-tls'])
  t.match(same.stderr, /--ca-secret: must differ from --secret/)
  const noConfig = await runCli(['certs', '--in-cluster', '--service', 'wfe-admission', '--kubeconfig', '/nonexistent/kubeconfig'])
  t.equal(noConfig.code, 2)
  t.match(noConfig.stderr, /^wfe-admission certs: --kubeconfig \/nonexistent\/kubeconfig: cannot load it/)

  const refusing: CertsCluster = {
    readSecret: async () => { throw Object.assign(new Error('secrets "wfe-admission-ca" is forbidden\nmore'), { code: 403 }) },
    writeSecret: async () => {},
    setCaBundle: async () => 'missing',
  }
  let stderr = ''
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => { stderr += s; return true } }, stdin: process.stdin, env: {}, cwd: process.cwd() }
  const values = parseFlags(['--in-cluster', '--service', 'wfe-admission'], CERTS_FLAGS, {}).values
  t.equal(await certsInCluster(values, [], io, refusing), 1)
  t.equal(stderr, 'wfe-admission certs: the Kubernetes API refused a call (HTTP 403): secrets "wfe-admission-ca" is forbidden\n')
  // client-node's ApiException: message "HTTP-Code: 403\n...", the apiserver's Status in body.
  stderr = ''
  const status = { kind: 'Status', message: 'secrets "other-tls" is forbidden: User "system:serviceaccount:kubernaut-system:wfe-admission-certs-hook" cannot get resource "secrets"' }
  const apiException: CertsCluster = { ...refusing, readSecret: async () => { throw Object.assign(new Error('HTTP-Code: 403\nMessage: Unknown API Status Code!'), { code: 403, body: JSON.stringify(status) }) } }
  t.equal(await certsInCluster(values, [], io, apiException), 1)
  t.equal(stderr, `wfe-admission certs: the Kubernetes API refused a call (HTTP 403): ${status.message}\n`)
})
