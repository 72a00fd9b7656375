// serve's start-up errors say what is wrong, with which flag, and the command that fixes it.
import t from 'tap'
import { createServer } from 'node:net'
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../helpers/cli.js'

const serve = (cwd: string, ...argv: string[]) =>
  runCli(['serve', '--bind-address', '127.0.0.1', '--probe-port', '0', '--log-level', 'silent', '--no-events', ...argv], { cwd })
const certs = (cwd: string, ...argv: string[]) => runCli(['certs', ...argv], { cwd })

t.test('a busy --port names the port and the flag that moves it', async (t) => {
  const cwd = t.testdir({})
  t.equal((await certs(cwd, '--out', 'certs')).code, 0)
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  t.teardown(() => holder.close())
  const port = (holder.address() as { port: number }).port
  const r = await serve(cwd, '--port', String(port))
  t.equal(r.code, 2)
  t.equal(
    r.stderr,
    `wfe-admission serve: cannot listen on 127.0.0.1:${port} (--port): port ${port} is already in use; stop what holds it or choose another port with --port (or $WFE_PORT)\n`,
  )
  const probe = await runCli(
    ['serve', '--bind-address', '127.0.0.1', '--port', '0', '--probe-port', String(port), '--log-level', 'silent', '--no-events'],
    { cwd },
  )
  t.equal(probe.code, 2)
  t.equal(
    probe.stderr,
    `wfe-admission serve: cannot listen on 127.0.0.1:${port} (--probe-port): port ${port} is already in use; stop what holds it or choose another port with --probe-port (or $WFE_PROBE_PORT)\n`,
  )
})

t.test('an unreadable --client-ca suggests making a client CA, not --dev-certs', async (t) => {
  const cwd = t.testdir({})
  t.equal((await certs(cwd, '--out', 'certs')).code, 0)
  const r = await serve(cwd, '--port', '0', '--client-ca', 'pki/ca.crt')
  t.equal(r.code, 2)
  t.equal(
    r.stderr,
    'wfe-admission serve: --client-ca: the path "pki/ca.crt" does not exist; it is the CA that signed the kube-apiserver\'s client certificate: make one with `wfe-admission certs --out DIR --client kube-apiserver`, then pass --client-ca DIR/ca.crt\n',
  )
  t.notMatch(r.stderr, /ENOENT|--dev-certs/)
})

t.test('a key that does not match its certificate says so and suggests certs --out DIR, not --dev-certs', async (t) => {
  const cwd = t.testdir({})
  t.equal((await certs(cwd, '--out', 'certs')).code, 0)
  t.equal((await certs(cwd, '--out', 'other', '--new-ca')).code, 0)
  copyFileSync(join(cwd, 'other/tls.key'), join(cwd, 'certs/tls.key'))
  for (const extra of [[], ['--dev-certs']]) {
    const r = await serve(cwd, '--port', '0', ...extra)
    t.equal(r.code, 2)
    t.equal(
      r.stderr,
      'wfe-admission serve: --cert-dir certs: tls.key is not the private key of tls.crt (they are from different pairs); make a matching pair with `wfe-admission certs --out certs`\n',
      extra.join(' '),
    )
  }
})

t.test('missing serving files: the flag, the path, no raw ENOENT', async (t) => {
  const cwd = t.testdir({})
  const r = await serve(cwd, '--port', '0', '--cert-dir', 'tls')
  t.equal(r.code, 2)
  t.equal(
    r.stderr,
    'wfe-admission serve: --cert-dir: the path "tls/tls.crt" does not exist; create a pair with `wfe-admission certs --out tls`, or pass --dev-certs for a development pair\n',
  )
})

t.test('--dev-certs never overwrites a lone tls.crt or tls.key', async (t) => {
  for (const lone of ['tls.crt', 'tls.key']) {
    const cwd = t.testdir({ certs: { [lone]: 'precious\n' } })
    const r = await serve(cwd, '--port', '0', '--dev-certs')
    const other = lone === 'tls.crt' ? 'tls.key' : 'tls.crt'
    t.equal(r.code, 2)
    t.equal(
      r.stderr,
      `wfe-admission serve: --dev-certs: certs/${lone} exists but certs/${other} does not; not overwriting: restore it, or remove it, or make a pair with \`wfe-admission certs --out certs\`\n`,
    )
    t.equal(readFileSync(join(cwd, 'certs', lone), 'utf8'), 'precious\n', `${lone} untouched`)
    t.notOk(existsSync(join(cwd, 'certs', other)), `no ${other} written`)
  }
  const cwd = t.testdir({ certs: { 'ca.crt': 'a CA someone trusts\n', 'ca.key': 'its key\n' } })
  const r = await serve(cwd, '--port', '0', '--dev-certs')
  t.equal(r.code, 2, 'nor a CA without a pair')
  t.equal(readFileSync(join(cwd, 'certs', 'ca.crt'), 'utf8'), 'a CA someone trusts\n')
})
