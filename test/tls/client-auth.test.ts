// --client-ca / --client-allowed-names through real TLS clients against a real https server.
import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { createFileCertificateSource } from '../../src/tls/file-source.js'
import { clientNames } from '../../src/tls/client-names.js'
import { issueCa, issueLeaf, type PemPair } from '../../src/certs/generate.js'
import { type Teardown, captureLogger, exchange, recordingHooks, serve, tempDir, waitFor, writePair } from './fixtures/harness.js'

const serverCa = await issueCa({ commonName: 'serving-ca' })
const serving = await issueLeaf({ ca: serverCa, commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'], usage: 'server' })
const clientCa = await issueCa({ commonName: 'client-ca' })
const otherCa = await issueCa({ commonName: 'other-ca' })
const client = (
  ca: PemPair,
  commonName: string,
  extra: { dnsNames?: string[]; notBefore?: Date; notAfter?: Date } = {},
): Promise<PemPair> => issueLeaf({ ca, commonName, usage: 'client', ...extra })
const apiserver = await client(clientCa, 'kube-apiserver')
const bySan = await client(clientCa, 'something-else', { dnsNames: ['kube-apiserver'] })
const intruder = await client(clientCa, 'intruder', { dnsNames: ['intruder.example'] })
const foreign = await client(otherCa, 'kube-apiserver')
const expired = await client(clientCa, 'kube-apiserver', {
  notBefore: new Date('2020-01-01T00:00:00Z'),
  notAfter: new Date('2020-01-02T00:00:00Z'),
})
const as = (pair: PemPair) => ({ ca: serverCa.cert, cert: pair.cert, key: pair.key })

async function mtlsServer(test: Teardown, allowed?: string[], caPem = clientCa.cert) {
  const dir = await tempDir(test)
  await writePair(dir, serving)
  const clientCaFile = join(dir, 'client-ca.crt')
  await writeFile(clientCaFile, caPem)
  const log = captureLogger()
  const { hooks, events } = recordingHooks()
  const source = createFileCertificateSource({
    certDir: dir,
    clientCaFile,
    logger: log.logger,
    hooks,
    pollIntervalMs: 50,
    debounceMs: 20,
    ...(allowed ? { clientAllowedNames: allowed } : {}),
  })
  const srv = await serve(test, source)
  source.start()
  test.teardown(() => source.stop())
  return { ...srv, source, clientCaFile, lines: log.lines, events }
}

t.test('clientNames reads the CN and DNS SANs', async (t) => {
  const peer = { subject: { CN: 'a' }, subjectaltname: 'DNS:b, IP Address:127.0.0.1, DNS:c' }
  t.same(clientNames(peer as never), ['a', 'b', 'c'])
  t.same(clientNames({ subject: { CN: ['x', 'y'] } } as never), ['x', 'y'])
  t.same(clientNames({} as never), [])
})

t.test('with --client-ca: only certificates from that CA, unexpired, get through the handshake', async (t) => {
  const { port, requests, handshakes } = await mtlsServer(t)
  const none = await exchange(port, { ca: serverCa.cert })
  t.ok(none.noResponse, 'no certificate: no HTTP response')
  // OpenSSL itself refuses a missing certificate with an alert; a chain Node fails to verify is
  // dropped inside the handshake without one, so the server-side count is the proof there.
  t.match(none.error, /CERTIFICATE_REQUIRED/, `no certificate: refused by alert (${String(none.error)})`)
  const other = await exchange(port, as(foreign))
  t.ok(other.noResponse, 'other CA: no HTTP response')
  const old = await exchange(port, as(expired))
  t.ok(old.noResponse, 'expired: no HTTP response')
  t.equal(handshakes(), 0, 'the TLS layer completed none of those handshakes')
  t.equal(requests(), 0, 'none of them reached HTTP')
  const good = await exchange(port, as(apiserver))
  t.equal(good.status, 200, 'the right certificate is served')
  t.equal(handshakes(), 1)
  t.equal(requests(), 1)
})

t.test('--client-allowed-names: a verified certificate with another name is closed before any HTTP', async (t) => {
  const { port, requests, handshakes, lines } = await mtlsServer(t, ['kube-apiserver'])
  const wrong = await exchange(port, as(intruder))
  t.equal(handshakes(), 1, 'the handshake itself completed (the CA is trusted)')
  t.ok(wrong.noResponse, 'closed without an HTTP response')
  t.equal(requests(), 0, 'no request reached the handler')
  t.match(lines, [{ level: 'warn', msg: /client-allowed-names/, clientNames: ['intruder', 'intruder.example'] }])
  t.equal((await exchange(port, as(apiserver))).status, 200, 'allowed by CN')
  t.equal((await exchange(port, as(bySan))).status, 200, 'allowed by DNS SAN')
  t.equal(requests(), 2)
  t.ok((await exchange(port, as(foreign))).noResponse, 'the name does not help a certificate from another CA')
  t.equal(requests(), 2)
})

t.test('without --client-ca, allowed names are ignored and no certificate is asked for', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, serving)
  const { logger } = captureLogger()
  const source = createFileCertificateSource({ certDir: dir, clientAllowedNames: ['kube-apiserver'], logger })
  const { port } = await serve(t, source)
  t.equal((await exchange(port, { ca: serverCa.cert })).status, 200)
})

t.test('the client CA file reloads like the serving pair', async (t) => {
  const { port, clientCaFile, events, source } = await mtlsServer(t)
  const fromOther = await client(otherCa, 'kube-apiserver')
  t.ok((await exchange(port, as(fromOther))).noResponse, 'refused before the reload')
  // Concatenated without a newline between them, as careless `echo -n` bundling produces.
  await writeFile(clientCaFile, clientCa.cert.trimEnd() + otherCa.cert)
  t.ok(await waitFor(async () => (await exchange(port, as(fromOther))).status === 200), 'accepted once the bundle holds its CA')
  t.equal(events.at(-1)?.result, 'success')
  t.equal((await exchange(port, as(apiserver))).status, 200, 'the first CA still works')
  await writeFile(clientCaFile, 'not a certificate')
  t.ok(await waitFor(() => events.at(-1)?.result === 'error'), 'a broken CA file is an error')
  t.equal((await exchange(port, as(fromOther))).status, 200, 'the last good bundle keeps working')
  t.equal(source.healthy(), true)
  await writeFile(clientCaFile, otherCa.cert)
  t.ok(await waitFor(async () => (await exchange(port, as(apiserver))).noResponse), 'dropping a CA revokes its clients for new connections')
  t.equal(new X509Certificate(otherCa.cert).subject, 'CN=other-ca')
})

t.test('TLS 1.0 and 1.1 are refused; 1.2 and 1.3 are served', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, serving)
  const { logger } = captureLogger()
  const source = createFileCertificateSource({ certDir: dir, logger })
  const { port } = await serve(t, source)
  // SECLEVEL=0 lets this client offer the old protocols at all; the control below proves it does.
  const legacy = { ca: serverCa.cert, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as const
  for (const maxVersion of ['TLSv1', 'TLSv1.1'] as const) {
    const r = await exchange(port, { ...legacy, maxVersion })
    t.ok(r.noResponse, `${maxVersion}: no response`)
    t.equal(r.fingerprint256, undefined, `${maxVersion}: no handshake`)
    t.match(r.error, /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS/, `${maxVersion}: refused for its version (${String(r.error)})`)
  }
  for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
    t.equal((await exchange(port, { ca: serverCa.cert, minVersion: v, maxVersion: v })).status, 200, `${v} served`)
  }

  // Control: a server that allows TLS 1.1 does complete this client's legacy handshake.
  const { createServer } = await import('node:tls')
  const sockets = new Set<import('node:net').Socket>()
  const control = createServer({ key: serving.key, cert: serving.cert, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) =>
    s.end('HTTP/1.1 200 OK\r\n\r\n'),
  )
  control.on('connection', (s) => {
    sockets.add(s)
  })
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r))
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        control.close(() => r())
      }),
  )
  const controlPort = (control.address() as { port: number }).port
  const ok = await exchange(controlPort, { ...legacy, maxVersion: 'TLSv1.1' })
  t.ok(ok.fingerprint256, 'the legacy client can do TLS 1.1 where it is allowed')
})
