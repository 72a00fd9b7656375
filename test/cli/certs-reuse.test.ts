// Re-running `certs` keeps the CA, so injected caBundles and the apiserver's trust survive a reissue.
import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { runCli } from '../helpers/cli.js'

const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8')

t.test('a second run reuses ca.crt/ca.key and signs the new leaves with it; --new-ca replaces it', async (t) => {
  const dir = t.testdir({})
  t.equal((await runCli(['certs', '--out', 'c'], { cwd: dir })).code, 0)
  const ca1 = read(join(dir, 'c'), 'ca.crt')
  const tls1 = read(join(dir, 'c'), 'tls.crt')
  const again = await runCli(['certs', '--out', 'c', '--client', 'kube-apiserver'], { cwd: dir })
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /reused the CA in c \(ca\.crt, ca\.key\)/)
  t.match(again.stdout, /wrote c\/tls\.crt, c\/tls\.key, c\/client\.crt, c\/client\.key/)
  t.equal(read(join(dir, 'c'), 'ca.crt'), ca1, 'same CA')
  t.not(read(join(dir, 'c'), 'tls.crt'), tls1, 'new serving certificate')
  const ca = new X509Certificate(ca1)
  t.ok(new X509Certificate(read(join(dir, 'c'), 'tls.crt')).verify(ca.publicKey), 'serving cert signed by the kept CA')
  t.ok(new X509Certificate(read(join(dir, 'c'), 'client.crt')).verify(ca.publicKey), 'client cert signed by the kept CA')

  const fresh = await runCli(['certs', '--out', 'c', '--new-ca'], { cwd: dir })
  t.equal(fresh.code, 0)
  t.notMatch(fresh.stdout, /reused/)
  t.not(read(join(dir, 'c'), 'ca.crt'), ca1, 'a new CA')
})

t.test('an unusable existing CA is refused with a way out, never silently replaced', async (t) => {
  const dir = t.testdir({})
  await runCli(['certs', '--out', 'c'], { cwd: dir })
  const other = mkdtempSync(join(tmpdir(), 'wfe-certs-'))
  t.teardown(() => rmSync(other, { recursive: true, force: true }))
  await runCli(['certs', '--out', 'o'], { cwd: other })
  writeFileSync(join(dir, 'c', 'ca.key'), read(join(other, 'o'), 'ca.key'))
  const mismatch = await runCli(['certs', '--out', 'c'], { cwd: dir })
  t.equal(mismatch.code, 2)
  t.match(mismatch.stderr, /ca\.key: not the private key of .*ca\.crt; pass --new-ca/)

  writeFileSync(join(dir, 'c', 'ca.crt'), read(join(dir, 'c'), 'tls.crt'))
  const leaf = await runCli(['certs', '--out', 'c'], { cwd: dir })
  t.equal(leaf.code, 2)
  t.match(leaf.stderr, /not a CA certificate/)

  writeFileSync(join(dir, 'c', 'ca.crt'), 'garbage')
  t.match((await runCli(['certs', '--out', 'c'], { cwd: dir })).stderr, /not a PEM certificate/)

  const half = mkdtempSync(join(tmpdir(), 'wfe-certs-'))
  t.teardown(() => rmSync(half, { recursive: true, force: true }))
  await runCli(['certs', '--out', 'c'], { cwd: half })
  writeFileSync(join(half, 'c', 'ca.key'), '')
  rmSync(join(half, 'c', 'ca.key'))
  t.match((await runCli(['certs', '--out', 'c'], { cwd: half })).stderr, /ca\.key is missing while .*ca\.crt exists/)
  t.equal((await runCli(['certs', '--out', 'c', '--new-ca'], { cwd: dir })).code, 0)
})
