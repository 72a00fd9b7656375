import t from 'tap'
import { writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { X509Certificate } from 'node:crypto'
import { pino } from 'pino'
import { createFileCertificateSource } from '../../src/tls/file-source.js'
import { WfeError } from '../../src/errors.js'
import { issueCa, issueLeaf, type PemPair } from '../../src/certs/generate.js'
import { SecretVolume, captureLogger, exchange, recordingHooks, serve, tempDir, waitFor, writePair } from './fixtures/harness.js'

const ca = await issueCa()
const leaf = (opts: { notBefore?: Date; notAfter?: Date } = {}): Promise<PemPair> =>
  issueLeaf({ ca, commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'], usage: 'server', ...opts })
const fp = (pair: PemPair): string => new X509Certificate(pair.cert).fingerprint256
const notAfterOf = (pair: PemPair): Date => new Date(new X509Certificate(pair.cert).validTo)
const A = await leaf()
const B = await leaf()
const C = await leaf()
const EXPIRED = await leaf({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') })
const trust = { ca: ca.cert }
// Long enough that only the mechanism under test (watch or poll) can deliver a change in time.
const NEVER = 600_000

/** The message of the WFE_ERR_TLS start-up error `fn` throws, or what happened instead. */
function startupError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return err instanceof WfeError && err.code === 'WFE_ERR_TLS' ? err.message : `unexpected error: ${String(err)}`
  }
  return 'did not throw'
}

t.test('construction fails on a missing or bad pair, naming the file', async (t) => {
  const { logger } = captureLogger()
  const dir = await tempDir(t)
  t.match(
    startupError(() => createFileCertificateSource({ certDir: dir, logger })),
    /tls\.crt: cannot read/,
  )
  await writeFile(join(dir, 'tls.crt'), A.cert)
  t.match(
    startupError(() => createFileCertificateSource({ certDir: dir, logger })),
    /tls\.key: cannot read/,
  )
  await writeFile(join(dir, 'tls.key'), B.key)
  t.match(
    startupError(() => createFileCertificateSource({ certDir: dir, logger })),
    /tls\.key: private key does not match the certificate in .*tls\.crt/,
  )
  await writeFile(join(dir, 'tls.key'), 'garbage')
  t.match(
    startupError(() => createFileCertificateSource({ certDir: dir, logger })),
    /tls\.key: not a PEM private key/,
  )
  await writePair(dir, { cert: 'not a cert', key: A.key })
  t.match(
    startupError(() => createFileCertificateSource({ certDir: dir, logger })),
    /tls\.crt: not a PEM certificate/,
  )
  await writePair(dir, A)
  await writeFile(join(dir, 'client-ca.crt'), 'nope')
  t.match(
    startupError(() => createFileCertificateSource({ certDir: dir, clientCaFile: join(dir, 'client-ca.crt'), logger })),
    /client-ca\.crt: no PEM certificate/,
  )
  t.match(
    startupError(() => createFileCertificateSource({ certDir: dir, clientCaFile: join(dir, 'absent.crt'), logger })),
    /absent\.crt: cannot read/,
  )
})

t.test('serverOptions: the pair and TLS 1.2 minimum; client CA settings only with a client CA', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger } = captureLogger()
  const plain = createFileCertificateSource({ certDir: dir, logger }).serverOptions()
  t.equal(plain.minVersion, 'TLSv1.2')
  t.equal(String(plain.cert), A.cert)
  t.equal(String(plain.key), A.key)
  t.equal(plain.requestCert, undefined)
  t.equal(plain.ca, undefined)
  await writeFile(join(dir, 'client-ca.crt'), ca.cert)
  const mtls = createFileCertificateSource({ certDir: dir, clientCaFile: join(dir, 'client-ca.crt'), logger }).serverOptions()
  t.equal(mtls.requestCert, true)
  t.equal(mtls.rejectUnauthorized, true)
  t.equal(String(mtls.ca), ca.cert)
})

t.test('healthy and notAfter follow the served certificate; an expired one at start-up is served but unhealthy', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger, lines } = captureLogger()
  let clock = new Date()
  const source = createFileCertificateSource({ certDir: dir, logger, now: () => clock })
  t.equal(source.notAfter()?.toISOString(), notAfterOf(A).toISOString())
  t.equal(source.healthy(), true)
  clock = new Date(notAfterOf(A).getTime() + 1000)
  t.equal(source.healthy(), false, 'unhealthy once the served certificate expires')

  const old = await tempDir(t)
  await writePair(old, EXPIRED)
  const expired = createFileCertificateSource({ certDir: old, logger })
  t.equal(expired.healthy(), false)
  t.match(lines, [{ level: 'warn', msg: /expired/ }])
})

t.test('plain overwrite: the directory watch picks it up and a NEW connection sees the new certificate', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger } = captureLogger()
  const { hooks, events } = recordingHooks()
  const source = createFileCertificateSource({ certDir: dir, logger, hooks, pollIntervalMs: NEVER, debounceMs: 20 })
  const { port } = await serve(t, source)
  source.start()
  t.teardown(() => source.stop())
  t.equal((await exchange(port, trust)).fingerprint256, fp(A))

  await writePair(dir, B)
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(B)), 'new connections get B')
  const last = events.at(-1)
  t.equal(last?.result, 'success')
  t.equal(last?.notAfter?.toISOString(), notAfterOf(B).toISOString())
  t.equal(source.notAfter()?.toISOString(), notAfterOf(B).toISOString())
  const served = await exchange(port, trust)
  t.equal(served.status, 200, 'the swapped context serves HTTP')
  t.notOk(served.error)
})

t.test('a pair overwritten file by file is not reported as a broken pair', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger } = captureLogger()
  const { hooks, events, nextLooks } = recordingHooks()
  // A settle period long enough that the key is written before the torn state is judged.
  const source = createFileCertificateSource({ certDir: dir, logger, hooks, pollIntervalMs: 10, debounceMs: 1, settleMs: 2000 })
  const { port } = await serve(t, source)
  source.start()
  t.teardown(() => source.stop())
  // The source reads B's certificate with A's key in between: a torn read, not a bad pair.
  const torn = nextLooks('settling')
  await writeFile(join(dir, 'tls.crt'), B.cert)
  await torn
  await writeFile(join(dir, 'tls.key'), B.key)
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(B)), 'B served')
  t.same(
    events.map((e) => e.result),
    ['success'],
    'one success, no error',
  )
})

t.test('the poll alone catches a change when no watch event arrives in time', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger } = captureLogger()
  const { hooks, events } = recordingHooks()
  // A debounce longer than the test means watch events cannot deliver the change; only the poll can.
  const source = createFileCertificateSource({ certDir: dir, logger, hooks, pollIntervalMs: 50, debounceMs: NEVER })
  const { port } = await serve(t, source)
  source.start()
  t.teardown(() => source.stop())
  await writePair(dir, B)
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(B)), 'new connections get B')
  t.ok(events.some((e) => e.result === 'success'))
})

t.test('Kubernetes ..data symlink swap, twice: the re-armed watch follows each one', async (t) => {
  const dir = await tempDir(t)
  const volume = new SecretVolume(dir)
  await volume.write({ 'tls.crt': A.cert, 'tls.key': A.key })
  const { logger } = captureLogger()
  const { hooks, events } = recordingHooks()
  const source = createFileCertificateSource({ certDir: dir, logger, hooks, pollIntervalMs: NEVER, debounceMs: 20 })
  const { port } = await serve(t, source)
  source.start()
  t.teardown(() => source.stop())
  t.equal((await exchange(port, trust)).fingerprint256, fp(A))

  await volume.write({ 'tls.crt': B.cert, 'tls.key': B.key })
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(B)), 'first swap served')
  await volume.write({ 'tls.crt': C.cert, 'tls.key': C.key })
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(C)), 'second swap served')
  t.same(
    events.map((e) => e.result),
    ['success', 'success'],
    'atomic swaps never show a half-written pair',
  )
})

t.test('a re-pointed certificate directory symlink is followed', async (t) => {
  const root = await tempDir(t)
  await mkdir(join(root, 'one'))
  await mkdir(join(root, 'two'))
  await writePair(join(root, 'one'), A)
  await writePair(join(root, 'two'), B)
  const { symlink, rename } = await import('node:fs/promises')
  await symlink('one', join(root, 'current'))
  const { logger } = captureLogger()
  const source = createFileCertificateSource({ certDir: join(root, 'current'), logger, pollIntervalMs: 50, debounceMs: 20 })
  const { port } = await serve(t, source)
  source.start()
  t.teardown(() => source.stop())
  await symlink('two', join(root, 'next'))
  await rename(join(root, 'next'), join(root, 'current'))
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(B)))
  // The watch now sits on "two": an in-place change there is seen without waiting for the poll.
  await writePair(join(root, 'two'), C)
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(C)))
})

t.test('a broken pair is refused, counted and logged; the old certificate keeps serving', async (t) => {
  const dir = await tempDir(t)
  // Atomic updates (the Secret-volume swap), so each step shows exactly the pair under test.
  const volume = new SecretVolume(dir)
  await volume.write({ 'tls.crt': A.cert, 'tls.key': A.key })
  const { logger, lines } = captureLogger()
  const { hooks, events, nextLooks } = recordingHooks()
  const source = createFileCertificateSource({ certDir: dir, logger, hooks, pollIntervalMs: 50, debounceMs: 20 })
  const { port } = await serve(t, source)
  source.start()
  t.teardown(() => source.stop())

  const cases: [string, Record<string, string>, RegExp][] = [
    ['key mismatch', { 'tls.crt': B.cert, 'tls.key': C.key }, /tls\.key: private key does not match/],
    [
      'garbage certificate',
      { 'tls.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'tls.key': B.key },
      /tls\.crt: not a PEM certificate/,
    ],
    ['garbage key', { 'tls.crt': B.cert, 'tls.key': 'garbage' }, /tls\.key: not a PEM private key/],
    ['expired certificate', { 'tls.crt': EXPIRED.cert, 'tls.key': EXPIRED.key }, /tls\.crt: certificate expired at 2020-01-02/],
    ['missing key', { 'tls.crt': B.cert }, /tls\.key: cannot read/],
  ]
  for (const [name, files, reason] of cases) {
    const errorsBefore = events.filter((e) => e.result === 'error').length
    const linesBefore = lines.length
    await volume.write(files)
    t.ok(await waitFor(() => events.filter((e) => e.result === 'error').length > errorsBefore), `${name}: reported as error`)
    t.match(lines.slice(linesBefore), [{ level: 'warn', reason }], `${name}: logged with the reason`)
    const after = await exchange(port, trust)
    t.equal(after.fingerprint256, fp(A), `${name}: A still served`)
    t.equal(after.status, 200, `${name}: still answering`)
    t.equal(source.healthy(), true)
  }
  t.notOk(
    events.some((e) => e.result === 'success'),
    'nothing was swapped in',
  )

  const errors = events.filter((e) => e.result === 'error').length
  await nextLooks('unchanged', 3)
  t.equal(
    events.filter((e) => e.result === 'error').length,
    errors,
    'a persisting bad state is reported once, not on each of the next three polls',
  )

  await volume.write({ 'tls.crt': B.cert, 'tls.key': B.key })
  t.ok(await waitFor(async () => (await exchange(port, trust)).fingerprint256 === fp(B)), 'a good pair afterwards is served')
  t.equal(events.at(-1)?.result, 'success')
})

t.test('works with a pino logger: reload lines are structured JSON', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const out: string[] = []
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, cb) {
        out.push(String(chunk))
        cb()
      },
    }),
  )
  const source = createFileCertificateSource({ certDir: dir, logger, pollIntervalMs: 50, debounceMs: 20 })
  const { port } = await serve(t, source)
  source.start()
  t.teardown(() => source.stop())
  await writePair(dir, B)
  t.ok(await waitFor(() => out.some((l) => l.includes('TLS certificate reloaded'))))
  await exchange(port, trust)
  const line = JSON.parse(out.find((l) => l.includes('TLS certificate reloaded')) ?? '{}') as Record<string, unknown>
  t.equal(line['fingerprint256'], fp(B))
  t.equal(line['notAfter'], notAfterOf(B).toISOString())
})

t.test('attach after a reload gives the server the current pair', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger } = captureLogger()
  const { hooks, events } = recordingHooks()
  const source = createFileCertificateSource({ certDir: dir, logger, hooks, pollIntervalMs: 50, debounceMs: 20 })
  const options = source.serverOptions()
  t.equal(String(options.cert), A.cert)
  source.start()
  t.teardown(() => source.stop())
  await writePair(dir, B)
  t.ok(await waitFor(() => events.some((e) => e.result === 'success')), 'B loaded')
  // serve() calls serverOptions() again; a server built from stale options must still be corrected.
  const { createServer } = await import('node:https')
  const server = createServer(options, (_q, s) => s.end('ok'))
  source.attach(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  )
  const port = (server.address() as { port: number }).port
  t.equal((await exchange(port, trust)).fingerprint256, fp(B))
})

t.test('stop() ends watching and polling', async (t) => {
  const dir = await tempDir(t)
  await writePair(dir, A)
  const { logger } = captureLogger()
  const { hooks, events, looks } = recordingHooks()
  const source = createFileCertificateSource({ certDir: dir, logger, hooks, pollIntervalMs: 20, debounceMs: 10 })
  source.start()
  source.stop()
  // A running twin on the same files: once it has reloaded B and looked three more times, the
  // stopped source had the same chances to poll or see a watch event.
  const twin = recordingHooks()
  const running = createFileCertificateSource({ certDir: dir, logger, hooks: twin.hooks, pollIntervalMs: 20, debounceMs: 10 })
  running.start()
  t.teardown(() => running.stop())
  await writePair(dir, B)
  await waitFor(() => twin.events.some((e) => e.result === 'success'))
  await twin.nextLooks('unchanged', 3)
  t.same(events, [])
  t.same(looks, [], 'no look at the files either')
  t.equal(source.notAfter()?.toISOString(), notAfterOf(A).toISOString())
})
