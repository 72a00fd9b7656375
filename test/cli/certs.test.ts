import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../tls/fixtures/harness.js'

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'
const cert = async (path: string): Promise<X509Certificate> => new X509Certificate(await readFile(path))

t.test('--out DIR (relative to the working directory): CA and serving pair, loopback SANs, keys 0600', async (t) => {
  const cwd = await tempDir(t)
  const r = await runCli(['certs', '--out', 'dev-certs', '--days', '7'], { cwd })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /wrote dev-certs\/ca\.crt, dev-certs\/ca\.key, dev-certs\/tls\.crt, dev-certs\/tls\.key\n/)
  const out = join(cwd, 'dev-certs')
  t.same((await readdir(out)).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'])
  const ca = await cert(join(out, 'ca.crt'))
  const leaf = await cert(join(out, 'tls.crt'))
  t.ok(leaf.verify(ca.publicKey))
  t.same(leaf.keyUsage, [SERVER_AUTH])
  t.equal(leaf.checkHost('localhost'), 'localhost')
  t.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1')
  t.equal(leaf.checkIP('::1'), '::1')
  t.equal(leaf.subjectAltName?.split(', ').length, 3, 'loopback names only without --service')
  const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000
  t.ok(days > 6.9 && days <= 7, `--days 7 (got ${days})`)
  t.equal((await stat(join(out, 'tls.key'))).mode & 0o777, 0o600)
  t.equal((await stat(join(out, 'ca.key'))).mode & 0o777, 0o600)
})

t.test('--service and --namespace add the Service DNS names', async (t) => {
  const cwd = await tempDir(t)
  const r = await runCli(['certs', '--out', 'c', '--service', 'wfe-admission', '--namespace', 'kubernaut-system'], { cwd })
  t.equal(r.code, 0, r.stderr)
  const leaf = await cert(join(cwd, 'c', 'tls.crt'))
  for (const name of [
    'wfe-admission.kubernaut-system',
    'wfe-admission.kubernaut-system.svc',
    'wfe-admission.kubernaut-system.svc.cluster.local',
    'localhost',
  ]) {
    t.equal(leaf.checkHost(name), name)
  }
  t.equal(leaf.checkIP('::1'), '::1')
  const other = await runCli(['certs', '--out', 'd', '--service', 'hook'], { cwd })
  t.equal(other.code, 0)
  t.equal(
    (await cert(join(cwd, 'd', 'tls.crt'))).checkHost('hook.kubernaut-system.svc'),
    'hook.kubernaut-system.svc',
    '--namespace defaults to kubernaut-system',
  )
})

t.test('--client NAME issues a clientAuth certificate from the same CA', async (t) => {
  const cwd = await tempDir(t)
  const r = await runCli(['certs', '--out', 'c', '--client', 'kube-apiserver'], { cwd })
  t.equal(r.code, 0, r.stderr)
  const client = await cert(join(cwd, 'c', 'client.crt'))
  t.equal(client.subject, 'CN=kube-apiserver')
  t.same(client.keyUsage, [CLIENT_AUTH])
  t.ok(client.verify((await cert(join(cwd, 'c', 'ca.crt'))).publicKey))
  t.equal((await stat(join(cwd, 'c', 'client.key'))).mode & 0o777, 0o600)
})

t.test('bad flags exit 2 with a message and write nothing', async (t) => {
  const cwd = await tempDir(t)
  const cases: [string[], RegExp][] = [
    [['--days', '0'], /--days: invalid value "0"/],
    [['--days', '1.5'], /--days: invalid value "1.5"/],
    [['--days', 'soon'], /--days: "soon" is not a number/],
    [['--days', '99999'], /--days: invalid value "99999"/],
    [['--service', 'Bad_Name'], /--service: invalid value "Bad_Name": must be a DNS-1123 label/],
    [['--service', 'ok', '--namespace=-ns'], /--namespace: invalid value "-ns"/],
    [['--client', 'a,b'], /--client: invalid value "a,b"/],
    [['--client', ''], /--client: invalid value ""/],
    [['--nope'], /^wfe-admission certs: unknown flag --nope \(see wfe-admission certs --help\)\n$/],
    [['extra'], /unexpected argument "extra"/],
    [['--inject', 'manifests'], /--inject needs --service/],
    [['--inject', 'missing', '--service', 'wfe-admission'], /--inject: .*missing is not a directory/],
  ]
  for (const [flags, message] of cases) {
    const r = await runCli(['certs', '--out', 'never', ...flags], { cwd })
    t.equal(r.code, 2, `${flags.join(' ')}: exit 2`)
    t.match(r.stderr, message, `${flags.join(' ')}: says why`)
  }
  t.same(await readdir(cwd), [], 'nothing was written')
})

t.test('--help prints the flags and exits 0', async (t) => {
  const r = await runCli(['certs', '--help'])
  t.equal(r.code, 0)
  for (const flag of ['--out', '--service', '--namespace', '--days', '--inject', '--client']) t.match(r.stdout, flag)
})

const VALIDATING = `# Validating webhook for WorkflowExecutions.
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: wfe-admission.kubernaut.ai
webhooks:
  - name: validate.workflowexecution.kubernaut.ai
    admissionReviewVersions: ["v1"]
    clientConfig:
      # Filled by certs --inject.
      caBundle: ""
      service:
        name: wfe-admission
        namespace: kubernaut-system
        path: /validate-workflowexecution
`
const MUTATING = VALIDATING.replace('Validating webhook', 'Mutating webhook')
  .replace('kind: ValidatingWebhookConfiguration', 'kind: MutatingWebhookConfiguration')
  .replace('  - name: validate.workflowexecution.kubernaut.ai', '  - name: mutate.workflowexecution.kubernaut.ai')
const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: wfe-admission\nspec:\n  ports: [{port: 443, targetPort: 9443}]\n'

async function fixtureManifests(root: string): Promise<string> {
  const dir = join(root, 'manifests')
  await mkdir(join(dir, 'base'), { recursive: true })
  await writeFile(join(dir, 'base', 'validating.yaml'), VALIDATING)
  await writeFile(join(dir, 'base', 'mutating.yaml'), MUTATING)
  await writeFile(join(dir, 'base', 'service.yaml'), SERVICE)
  return dir
}

t.test('--inject DIR: the CA in every caBundle, the serving pair in a Secret manifest', async (t) => {
  const cwd = await tempDir(t)
  const dir = await fixtureManifests(cwd)
  const r = await runCli(
    ['certs', '--out', 'out', '--service', 'wfe-admission', '--namespace', 'kubernaut-system', '--inject', 'manifests'],
    { cwd },
  )
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /injected the CA into 1 caBundle field\(s\) in manifests\/base\/mutating\.yaml/)
  t.match(r.stdout, /injected the CA into 1 caBundle field\(s\) in manifests\/base\/validating\.yaml/)
  t.match(r.stdout, /wrote manifests\/certs\/secret\.yaml .*private key/)
  const caPem = await readFile(join(cwd, 'out', 'ca.crt'), 'utf8')
  const b64 = Buffer.from(caPem).toString('base64')
  for (const [file, original] of [
    ['validating.yaml', VALIDATING],
    ['mutating.yaml', MUTATING],
  ] as const) {
    const text = await readFile(join(dir, 'base', file), 'utf8')
    t.equal(text, original.replace('caBundle: ""', `caBundle: "${b64}"`), `${file}: only caBundle changed`)
    const decoded = Buffer.from(parse(text).webhooks[0].clientConfig.caBundle, 'base64').toString()
    t.equal(decoded, caPem, `${file}: caBundle decodes to ca.crt`)
  }
  t.equal(await readFile(join(dir, 'base', 'service.yaml'), 'utf8'), SERVICE, 'other manifests untouched')

  const secretText = await readFile(join(dir, 'certs', 'secret.yaml'), 'utf8')
  t.match(secretText, /PRIVATE KEY\. Do not commit it/)
  const secret = parse(secretText)
  t.equal(secret.kind, 'Secret')
  t.equal(secret.type, 'kubernetes.io/tls')
  t.same(secret.metadata.name, 'wfe-admission-tls')
  t.same(secret.metadata.namespace, 'kubernaut-system')
  const fromSecret = (k: string): string => Buffer.from(secret.data[k], 'base64').toString()
  t.equal(fromSecret('tls.crt'), await readFile(join(cwd, 'out', 'tls.crt'), 'utf8'))
  t.equal(fromSecret('tls.key'), await readFile(join(cwd, 'out', 'tls.key'), 'utf8'))
  t.equal(fromSecret('ca.crt'), caPem)
  t.ok(
    new X509Certificate(fromSecret('tls.crt')).checkHost('wfe-admission.kubernaut-system.svc'),
    'the Secret holds the in-cluster serving certificate',
  )

  // Again with --new-ca: the new CA replaces the old one, and the Secret under certs/ is not mistaken for a manifest.
  const again = await runCli(['certs', '--out', 'out', '--service', 'wfe-admission', '--inject', 'manifests', '--new-ca'], { cwd })
  t.equal(again.code, 0, again.stderr)
  const caPem2 = await readFile(join(cwd, 'out', 'ca.crt'), 'utf8')
  t.not(caPem2, caPem)
  t.equal(
    await readFile(join(dir, 'base', 'validating.yaml'), 'utf8'),
    VALIDATING.replace('caBundle: ""', `caBundle: "${Buffer.from(caPem2).toString('base64')}"`),
  )
})

t.test('--inject with an unparsable manifest: exit 2 naming it, no certificates written', async (t) => {
  const cwd = await tempDir(t)
  const dir = await fixtureManifests(cwd)
  await writeFile(join(dir, 'base', 'broken.yaml'), 'webhooks: [oops\n')
  const r = await runCli(['certs', '--out', 'out', '--service', 'wfe-admission', '--inject', 'manifests'], { cwd })
  t.equal(r.code, 2)
  t.match(r.stderr, /broken\.yaml: not valid YAML/)
  t.same((await readdir(cwd)).sort(), ['manifests'], 'no out/ directory')
  t.equal(await readFile(join(dir, 'base', 'validating.yaml'), 'utf8'), VALIDATING)
})

t.test('--inject into a tree with no webhook configuration warns but still writes the Secret', async (t) => {
  const cwd = await tempDir(t)
  await mkdir(join(cwd, 'm'))
  await writeFile(join(cwd, 'm', 'service.yaml'), SERVICE)
  const r = await runCli(['certs', '--out', 'out', '--service', 'wfe-admission', '--inject', 'm'], { cwd })
  t.equal(r.code, 0)
  t.match(r.stderr, /warning: no webhook configuration/)
  t.ok((await stat(join(cwd, 'm', 'certs', 'secret.yaml'))).isFile())
})
