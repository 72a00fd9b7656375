import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { createServer } from 'node:https'
import { once } from 'node:events'
import { confirmServed } from '../../src/tls/confirm.js'
import { createFileCertificateSource } from '../../src/tls/file-source.js'
import { issueCa, issueLeaf } from '../../src/certs/generate.js'
import { captureLogger, serve, tempDir, waitFor, writePair } from './fixtures/harness.js'

const ca = await issueCa()
const A = await issueLeaf({ ca, commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'], usage: 'server' })
const B = await issueLeaf({ ca, commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'], usage: 'server' })
const fp = (cert: string): string => new X509Certificate(cert).fingerprint256

t.test('confirmServed tells the certificate a fresh handshake presents', async (t) => {
  const server = createServer({ cert: A.cert, key: A.key }, (_q, s) => s.end())
  t.equal(await confirmServed(server, fp(A.cert)), undefined, 'not listening: cannot tell')
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  t.equal(await confirmServed(server, fp(A.cert)), true)
  t.equal(await confirmServed(server, fp(B.cert)), false)
  server.setSecureContext({ cert: B.cert, key: B.key })
  t.equal(await confirmServed(server, fp(B.cert)), true, 'after a swap, the new one')
})

t.test('a reload logs the confirmation that new handshakes present the new certificate', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger, lines } = captureLogger()
  const source = createFileCertificateSource({ certDir: dir, logger, pollIntervalMs: 50, debounceMs: 10 })
  await serve(t, source)
  source.start()
  t.teardown(() => source.stop())
  await writePair(dir, B)
  const confirmed = await waitFor(() =>
    lines.some((l) => l.msg === 'confirmed: new handshakes present the reloaded certificate' && l['fingerprint256'] === fp(B.cert)),
  )
  t.ok(confirmed, 'confirmation logged with the new fingerprint')
})
