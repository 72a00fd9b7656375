// charts/wfe-admission, per tls.mode: helm lint, then what `helm template` renders for the
// apiserver's trust (caBundle), the pods' Secret, and who keeps them (cainjector, the certs Jobs).
import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseFlags } from '../../src/cli/args.js'
import { CERTS_FLAGS } from '../../src/cli/flags.js'
import { CHART, NS, TEST_CA_PEM, helm, one, template, type K8sObject } from './helm.js'

const CONFIG = 'wfe-admission.kubernaut.ai'
const webhooks = (
  objects: K8sObject[],
): { kind: string; annotations?: Record<string, string>; hook: { clientConfig: { caBundle?: string } } }[] =>
  objects
    .filter((o) => o.kind.endsWith('WebhookConfiguration'))
    .flatMap((o) =>
      (o.webhooks as { clientConfig: { caBundle?: string } }[]).map((hook) => ({
        kind: o.kind,
        ...(o.metadata.annotations ? { annotations: o.metadata.annotations } : {}),
        hook,
      })),
    )
const mountedSecret = (objects: K8sObject[]): string =>
  one(objects, 'Deployment', 'wfe-admission').spec.template.spec.volumes.find((v: { name: string }) => v.name === 'serving-certs').secret
    .secretName

t.test('helm lint --strict passes in every tls.mode', async (t) => {
  for (const args of [
    ['--set', 'tls.mode=hook'],
    ['--set', 'tls.mode=cert-manager'],
    ['--set', 'tls.mode=manual', '--set', 'tls.caBundle=Zm9v'],
  ]) {
    const run = await helm(['lint', CHART, '--strict', '--namespace', NS, ...args])
    if (run.code !== 0) t.comment(run.stdout + run.stderr)
    t.equal(run.code, 0, args.join(' '))
  }
})

t.test("hook (the default): Jobs of the image's own certs command keep the Secrets and the caBundle", async (t) => {
  const objects = await template()
  t.equal(webhooks(objects).length, 3)
  for (const w of webhooks(objects)) {
    t.notOk('caBundle' in w.hook.clientConfig, `${w.kind}: caBundle left to the Job, so an upgrade never resets it`)
    t.notOk(w.annotations?.['cert-manager.io/inject-ca-from'])
  }
  const jobs = objects.filter((o) => o.kind === 'Job')
  t.same(
    jobs.map((j) => j.metadata.annotations?.['helm.sh/hook']),
    ['pre-install,pre-upgrade', 'post-install,post-upgrade'],
  )
  for (const job of jobs)
    t.equal(
      job.metadata.annotations?.['helm.sh/hook-output-log-policy'],
      'hook-failed',
      `${job.metadata.name}: a failure shows its log in helm's output`,
    )
  const secret = mountedSecret(objects)
  for (const job of jobs) {
    const pod = job.spec.template.spec
    const [container] = pod.containers
    t.same(container.command, ['/nodejs/bin/node', '/app/dist/cli/main.js'], "the image's CLI, not its serve ENTRYPOINT")
    t.equal(container.args[0], 'certs')
    // The Job's argv must parse with the CLI's own flag table, and name what the Deployment mounts.
    const { values } = parseFlags(container.args.slice(1), CERTS_FLAGS, {})
    t.match(values, {
      'in-cluster': true,
      service: 'wfe-admission',
      namespace: NS,
      secret,
      'ca-secret': 'wfe-admission-ca',
      'webhook-configuration': CONFIG,
      days: 365,
      'renew-before-days': 30,
    })
    t.equal(
      values['allow-missing-webhooks'],
      job.metadata.name.endsWith('-pre'),
      'only the pre-install Job runs before the configurations exist',
    )
    const sa = one(objects, 'ServiceAccount', pod.serviceAccountName)
    t.match(sa.metadata.annotations?.['helm.sh/hook'], /pre-install.*post-install/, 'the hook RBAC exists in both phases')
    t.match(sa.metadata.annotations?.['helm.sh/hook-delete-policy'], /hook-succeeded/, 'and is gone once they succeed')
  }
  const role = one(objects, 'Role', 'wfe-admission-certs-hook')
  t.same(role.rules[0].resourceNames.sort(), [secret, 'wfe-admission-ca'].sort())
  t.same(role.rules[0].verbs, ['get', 'update'])
  t.same(role.rules[1], { apiGroups: [''], resources: ['secrets'], verbs: ['create'] }, 'create cannot be narrowed by name')
  const clusterRole = one(objects, 'ClusterRole', 'wfe-admission-certs-hook')
  t.same(clusterRole.rules, [
    {
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
      resourceNames: [CONFIG],
      verbs: ['get', 'update'],
    },
  ])

  const cron = one(objects, 'CronJob', 'wfe-admission-certs')
  const cronPod = cron.spec.jobTemplate.spec.template.spec
  t.equal(cronPod.serviceAccountName, 'wfe-admission-certs')
  t.notOk(
    one(objects, 'ServiceAccount', 'wfe-admission-certs').metadata.annotations,
    "the CronJob's account is a release object, not a hook",
  )
  t.notOk(cronPod.containers[0].args.includes('--allow-missing-webhooks'))
  t.equal(cron.spec.concurrencyPolicy, 'Forbid')

  const without = await template({ 'tls.hook.rotation.enabled': false })
  t.same(
    without.filter((o) => o.kind === 'CronJob' || o.metadata.name === 'wfe-admission-certs'),
    [],
    'rotation off: no CronJob, no RBAC for it',
  )
  t.equal(without.filter((o) => o.kind === 'Job').length, 2)
})

t.test("cert-manager: the chart's CA chain or your issuer, and cainjector annotations", async (t) => {
  const objects = await template({ 'tls.mode': 'cert-manager' })
  for (const w of webhooks(objects)) {
    t.equal(w.annotations?.['cert-manager.io/inject-ca-from'], `${NS}/wfe-admission-serving`, w.kind)
    t.notOk('caBundle' in w.hook.clientConfig, `${w.kind}: cainjector owns caBundle`)
  }
  const serving = one(objects, 'Certificate', 'wfe-admission-serving')
  t.equal(serving.spec.secretName, mountedSecret(objects))
  t.ok(serving.spec.dnsNames.includes(`wfe-admission.${NS}.svc`))
  t.same(serving.spec.issuerRef, { name: 'wfe-admission-ca', kind: 'Issuer', group: 'cert-manager.io' })
  one(objects, 'Issuer', 'wfe-admission-selfsigned')
  t.equal(one(objects, 'Certificate', 'wfe-admission-ca').spec.isCA, true)
  t.same(
    objects.filter((o) => o.kind === 'Job' || o.kind === 'CronJob'),
    [],
  )

  const own = await template({ 'tls.mode': 'cert-manager', 'tls.certManager.issuerRef.name': 'corp-ca' })
  t.same(
    own.filter((o) => o.kind === 'Issuer' || o.metadata.name === 'wfe-admission-ca'),
    [],
    'no chart CA when an issuer is given',
  )
  t.same(one(own, 'Certificate').spec.issuerRef, { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' })
})

t.test('manual: your Secret, your CA in every caBundle, nothing else', async (t) => {
  const dir = t.testdir()
  await writeFile(join(dir, 'ca.crt'), TEST_CA_PEM)
  const pem = await template({ 'tls.mode': 'manual', 'tls.secretName': 'corp-tls' }, ['--set-file', `tls.caBundle=${join(dir, 'ca.crt')}`])
  const b64 = Buffer.from(TEST_CA_PEM.trim()).toString('base64')
  for (const w of webhooks(pem)) t.equal(w.hook.clientConfig.caBundle, b64, `${w.kind}: PEM is base64-encoded`)
  t.equal(mountedSecret(pem), 'corp-tls')
  t.same(
    pem.filter((o) => ['Job', 'CronJob', 'Certificate', 'Issuer', 'Secret'].includes(o.kind)),
    [],
    'the chart creates no TLS material',
  )
  const encoded = await template({ 'tls.mode': 'manual', 'tls.caBundle': b64 })
  for (const w of webhooks(encoded)) t.equal(w.hook.clientConfig.caBundle, b64, `${w.kind}: base64 kept as given`)
  await t.rejects(template({ 'tls.mode': 'manual' }), /tls\.caBundle: Required value: tls\.mode manual needs the CA/)
})
