import t from 'tap'
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { planCaBundleInjection, secretManifest, writeSecretManifest } from '../../src/certs/inject.js'
import { tempDir } from '../tls/fixtures/harness.js'

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
const B64 = Buffer.from(CA).toString('base64')

const VALIDATING = `# The validating webhook.
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: v
webhooks:
  - name: validate.example
    admissionReviewVersions: ["v1"]
    clientConfig:
      # filled by certs --inject
      caBundle: ""   # trailing comment stays
      service: {name: wfe-admission, namespace: ns, path: /validate}
    rules: [{apiGroups: ["kubernaut.ai"], apiVersions: ["v1alpha1"], resources: ["workflowexecutions"], operations: ["CREATE"]}]
`

const MULTI = `apiVersion: v1
kind: Service
metadata: {name: wfe-admission}
spec:
  ports: [{port: 443, targetPort: 9443}]
---
# Two webhooks; the second has no caBundle key yet.
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: m
webhooks:
  - name: one.example
    clientConfig:
      caBundle: 'old'
      service: {name: wfe-admission, namespace: ns}
  - name: two.example
    clientConfig:
      service: {name: wfe-admission, namespace: ns}
`

const CERT_MANAGER = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: cm
  annotations:
    cert-manager.io/inject-ca-from: ns/cert
webhooks:
  - name: v.example
    clientConfig:
      caBundle: ""
`

t.test('existing caBundle values are replaced in place; every other byte stays', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'validating.yaml'), VALIDATING)
  const [file, ...rest] = await planCaBundleInjection(dir, CA)
  t.equal(rest.length, 0)
  t.equal(file?.webhooks, 1)
  t.equal(file?.content, VALIDATING.replace('caBundle: ""', `caBundle: "${B64}"`), 'only the value changed, quotes and comments kept')
  t.equal(parse(file!.content).webhooks[0].clientConfig.caBundle, B64)
  t.equal(await readFile(join(dir, 'validating.yaml'), 'utf8'), VALIDATING, 'planning writes nothing')
})

t.test('a missing caBundle is added through the Document API; other documents and comments survive', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'multi.yml'), MULTI)
  const [file] = await planCaBundleInjection(dir, CA)
  t.equal(file?.webhooks, 2)
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the intersection is what makes docs an array
  const docs = parseAllDocuments(file!.content) as ReturnType<typeof parseAllDocuments> & unknown[]
  t.equal(docs.length, 2)
  const [service, mutating] = (docs as { toJS(): Record<string, any> }[]).map((d) => d.toJS())
  t.same(service?.spec.ports, [{ port: 443, targetPort: 9443 }])
  t.same(mutating?.webhooks.map((w: { clientConfig: { caBundle: string } }) => w.clientConfig.caBundle), [B64, B64])
  t.match(file!.content, /# Two webhooks; the second has no caBundle key yet\./)
  t.match(file!.content, /ports: \[\{port: 443, targetPort: 9443\}\]|ports: \[ \{ port: 443, targetPort: 9443 \} \]/)
  t.match(file!.content, new RegExp(`caBundle: '${B64}'`), 'single quotes of the existing value kept')
  t.notMatch(file!.content, new RegExp(`${B64.slice(0, 40)}\\n`), 'the base64 is never folded across lines')
})

t.test('skipped: cert-manager-owned configurations, other kinds, DIR/certs, hidden directories', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'cm.yaml'), CERT_MANAGER)
  await writeFile(join(dir, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n')
  await writeFile(join(dir, 'notes.txt'), VALIDATING)
  await mkdir(join(dir, 'certs'))
  await writeFile(join(dir, 'certs', 'old.yaml'), VALIDATING)
  await mkdir(join(dir, '.git'))
  await writeFile(join(dir, '.git', 'x.yaml'), VALIDATING)
  await mkdir(join(dir, 'overlays', 'nested'), { recursive: true })
  await writeFile(join(dir, 'overlays', 'nested', 'v.yaml'), VALIDATING)
  const planned = await planCaBundleInjection(dir, CA)
  t.same(planned.map((p) => p.path), [join(dir, 'overlays', 'nested', 'v.yaml')], 'only the nested real configuration')
})

t.test('a file that is not YAML is an error naming it', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'broken.yaml'), 'kind: [unclosed\n')
  await t.rejects(planCaBundleInjection(dir, CA), { code: 'WFE_ERR_INPUT', message: /broken\.yaml: not valid YAML/ })
})

t.test('the Secret manifest: kubernetes.io/tls with tls.crt, tls.key, ca.crt, a warning header, 0600', async (t) => {
  const text = secretManifest({ namespace: 'kubernaut-system', tlsCrt: 'CRT', tlsKey: 'KEY', caCrt: 'CA' })
  t.match(text, /^# .*\n# It CONTAINS A PRIVATE KEY\. Do not commit it/)
  const secret = parse(text)
  t.same(secret, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'wfe-admission-tls', namespace: 'kubernaut-system', labels: { 'app.kubernetes.io/name': 'wfe-admission', 'app.kubernetes.io/part-of': 'kubernaut' } },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'Q1JU', 'tls.key': 'S0VZ', 'ca.crt': 'Q0E=' },
  })
  const dir = await tempDir(t)
  const path = await writeSecretManifest(dir, { namespace: 'ns', tlsCrt: 'CRT', tlsKey: 'KEY', caCrt: 'CA' })
  t.equal(path, join(dir, 'certs', 'secret.yaml'))
  t.equal((await stat(path)).mode & 0o777, 0o600)
  t.match(await readFile(join(dir, 'certs', '.gitignore'), 'utf8'), /^\*$/m)
})
