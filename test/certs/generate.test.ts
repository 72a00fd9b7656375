import t from 'tap'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { chmod, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateCertificates, issueCa, issueLeaf, issueCertificates, servingNames } from '../../src/certs/generate.js'
import { tempDir } from '../tls/fixtures/harness.js'

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'

t.test('the serving certificate chains to the CA and carries the loopback SANs', async (t) => {
  const { ca, serving } = await issueCertificates({ days: 30 })
  const caCert = new X509Certificate(ca.cert)
  const leaf = new X509Certificate(serving.cert)
  t.ok(caCert.ca, 'CA has basicConstraints CA:true')
  t.ok(caCert.verify(caCert.publicKey), 'CA is self-signed')
  t.ok(leaf.verify(caCert.publicKey), 'leaf signed by the CA key')
  t.ok(leaf.checkIssued(caCert), 'leaf issuer matches CA subject')
  t.notOk(leaf.ca, 'leaf is not a CA')
  t.equal(leaf.checkHost('localhost'), 'localhost')
  t.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1')
  t.equal(leaf.checkIP('::1'), '::1')
  t.equal(leaf.checkHost('wfe-admission.kubernaut-system.svc'), undefined, 'no service SANs without --service')
  t.same(leaf.keyUsage, [SERVER_AUTH], 'serverAuth EKU only')
  t.ok(leaf.checkPrivateKey(createPrivateKey(serving.key)), 'key matches')
  const validDays = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000
  t.ok(validDays > 29.9 && validDays <= 30, `leaf valid for 30 days (got ${validDays})`)
  const caDays = (Date.parse(caCert.validTo) - Date.now()) / 86_400_000
  t.ok(caDays > 299 && caDays <= 300, `CA valid ten times as long (got ${caDays})`)
  t.match(ca.key, /^-----BEGIN PRIVATE KEY-----/, 'PKCS#8 PEM')
  for (const pem of [ca.cert, ca.key, serving.cert, serving.key]) t.ok(pem.endsWith('-----\n'), 'PEM ends with a newline, so `cat` builds bundles')
  t.equal(createPrivateKey(ca.key).asymmetricKeyDetails?.namedCurve, 'prime256v1', 'EC P-256')
})

t.test('key usages: CA signs certificates, leaf signs handshakes', async (t) => {
  const { ca, serving } = await issueCertificates({ days: 1 })
  // node:crypto exposes no keyUsage bits; read the extension back with @peculiar/x509.
  const x509 = await import('@peculiar/x509')
  const caExt = new x509.X509Certificate(ca.cert).getExtension(x509.KeyUsagesExtension)
  const leafExt = new x509.X509Certificate(serving.cert).getExtension(x509.KeyUsagesExtension)
  t.ok(caExt !== null && (caExt.usages & x509.KeyUsageFlags.keyCertSign) !== 0, 'CA keyCertSign')
  t.ok(leafExt !== null && leafExt.usages === x509.KeyUsageFlags.digitalSignature, 'leaf digitalSignature only')
  const bc = new x509.X509Certificate(ca.cert).getExtension(x509.BasicConstraintsExtension)
  t.ok(bc !== null && bc.ca && bc.critical, 'CA basicConstraints critical CA:true')
})

t.test('--service/--namespace add the in-cluster DNS names', async (t) => {
  t.same(servingNames('wfe-admission', 'kubernaut-system').dnsNames, [
    'localhost',
    'wfe-admission',
    'wfe-admission.kubernaut-system',
    'wfe-admission.kubernaut-system.svc',
    'wfe-admission.kubernaut-system.svc.cluster.local',
  ])
  const { serving } = await issueCertificates({ days: 1, service: 'wfe-admission', namespace: 'kubernaut-system' })
  const leaf = new X509Certificate(serving.cert)
  for (const name of ['wfe-admission', 'wfe-admission.kubernaut-system', 'wfe-admission.kubernaut-system.svc', 'wfe-admission.kubernaut-system.svc.cluster.local', 'localhost']) {
    t.equal(leaf.checkHost(name, { wildcards: false }), name, name)
  }
  t.equal(leaf.checkHost('wfe-admission.other.svc'), undefined)
})

t.test('a client certificate has clientAuth, the given CN, and the same CA', async (t) => {
  const { ca, client } = await issueCertificates({ days: 1, client: 'kube-apiserver' })
  t.ok(client)
  const leaf = new X509Certificate(client!.cert)
  t.same(leaf.keyUsage, [CLIENT_AUTH])
  t.equal(leaf.subject, 'CN=kube-apiserver')
  t.ok(leaf.verify(new X509Certificate(ca.cert).publicKey))
})

t.test('issueLeaf honours explicit validity windows (expired certificates for tests)', async (t) => {
  const ca = await issueCa({ commonName: 'other-ca' })
  const notBefore = new Date('2020-01-01T00:00:00Z')
  const notAfter = new Date('2020-01-02T00:00:00Z')
  const leaf = await issueLeaf({ ca, commonName: 'old', dnsNames: ['old.example'], ips: [], notBefore, notAfter, usage: 'server' })
  const cert = new X509Certificate(leaf.cert)
  t.equal(new Date(cert.validFrom).toISOString(), notBefore.toISOString())
  t.equal(new Date(cert.validTo).toISOString(), notAfter.toISOString())
  t.equal(new X509Certificate(ca.cert).subject, 'CN=other-ca')
  t.equal(cert.checkHost('old.example'), 'old.example')
})

t.test('two CAs never share a key', async (t) => {
  const a = await issueCa()
  const b = await issueCa()
  const leaf = await issueLeaf({ ca: a, commonName: 'x', usage: 'server' })
  t.notOk(new X509Certificate(leaf.cert).verify(new X509Certificate(b.cert).publicKey))
})

t.test('generateCertificates writes the files, keys 0600', async (t) => {
  const dir = await tempDir(t)
  const out = join(dir, 'nested', 'certs')
  const result = await generateCertificates({ outDir: out, days: 10, client: 'apiserver' })
  t.same(result.files.map((f) => f.slice(out.length + 1)), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key', 'client.crt', 'client.key'])
  for (const name of ['ca.key', 'tls.key', 'client.key']) t.equal((await stat(join(out, name))).mode & 0o777, 0o600, `${name} is 0600`)
  t.equal((await stat(join(out, 'tls.crt'))).mode & 0o777, 0o644)
  t.equal(await readFile(join(out, 'tls.crt'), 'utf8'), result.serving.cert)
  const caCert = new X509Certificate(await readFile(join(out, 'ca.crt')))
  t.ok(new X509Certificate(await readFile(join(out, 'tls.crt'))).verify(caCert.publicKey))
  await chmod(join(out, 'tls.key'), 0o644)
  await generateCertificates({ outDir: out, days: 10 })
  t.equal((await stat(join(out, 'tls.key'))).mode & 0o777, 0o600, 'an existing key is tightened on rewrite')
})
