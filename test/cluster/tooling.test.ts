// The control-plane tooling's answers to bad input, offline: one clear line, never a hang.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { GO_MISSING, requireGo, ROOT, toolsDir, ToolsError } from './tools.js'
import { claimDir } from './control-plane.js'
import { ClusterError, ephemeralRangeStart, loopbackPort } from './processes.js'
import { admissionConfiguration, webhookKubeconfig, writePki } from './pki.js'

t.test('no go command: the one line the issue asks for', async (t) => {
  t.throws(() => requireGo({ PATH: '/nonexistent' }), new ToolsError(`${GO_MISSING} (no \`go\` command found on PATH)`))
})

t.test('the cache folder is keyed by the Kubernetes version', async (t) => {
  t.match(toolsDir(), /\.cache\/cluster-tools\/k8s-v1\.\d+\.\d+-[0-9a-f]{10}$/)
})

t.test('a busy port is named with the flag that changes it', async (t) => {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await t.rejects(
    loopbackPort(port, '--apiserver-port'),
    new ClusterError(`port ${port} on 127.0.0.1 is in use; choose another with --apiserver-port or leave it out to pick a free one`),
  )
  t.ok((await loopbackPort()) > 0, 'a free port when none is asked for')
})

t.test('a port chosen for later is below the ephemeral range, where no outgoing connection is given it', async (t) => {
  const low = await ephemeralRangeStart()
  if (process.platform === 'linux') t.ok(low !== undefined && low > 1024, `the range starts at ${String(low)}`)
  for (let i = 0; i < 20; i++) {
    const port = await loopbackPort()
    t.ok(port >= 10_000 && (low === undefined || port < low), `port ${port} below ${String(low)}`)
  }
})

t.test('a folder with an earlier run is refused unless --reset, and a running one always', async (t) => {
  const dir = t.testdir()
  await mkdir(join(dir, 'etcd'))
  await t.rejects(claimDir(dir, false), /holds data from an earlier run; pass --reset/)
  await writeFile(join(dir, 'state.json'), JSON.stringify({ pids: [process.pid] }))
  await t.rejects(claimDir(dir, true), /a control plane is already running in .* \(pids \d+\)/)
  await writeFile(join(dir, 'state.json'), JSON.stringify({ pids: [2 ** 22 + 1] }))
  await t.rejects(claimDir(dir, false), /holds the state of an earlier run .*--reset/)
  await claimDir(dir, true)
  t.notOk(existsSync(join(dir, 'etcd')), '--reset wiped the etcd data')
  t.ok(existsSync(join(dir, 'logs')))
})

t.test('the apiserver presents its webhook client certificate to each listed loopback port', async (t) => {
  const pki = await writePki(t.testdir())
  const config = webhookKubeconfig(pki, [9443, 9444])
  t.match(config, /- name: "127\.0\.0\.1:9443"\n {2}user:\n {4}client-certificate: .*webhook-client\.crt/)
  t.match(config, /- name: "127\.0\.0\.1:9444"/)
  const admission = admissionConfiguration('/x/webhook-kubeconfig.yaml')
  t.match(admission, /name: ValidatingAdmissionWebhook[\s\S]*kubeConfigFile: \/x\/webhook-kubeconfig\.yaml/)
  t.match(admission, /name: MutatingAdmissionWebhook/)
})

t.test('npm run cluster with a bad port: one line, exit 1, before anything is built', async (t) => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['test/cluster/main.ts', '--apiserver-port', '99999'],
      { cwd: ROOT, timeout: 60_000 },
      (err, _out, stderr) => {
        resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? null), stderr })
      },
    )
  })
  t.equal(r.code, 1)
  t.equal(r.stderr, 'cluster: --apiserver-port: invalid value "99999": must be a port from 1 to 65535\n')
})
