import t from 'tap'
import { runCli } from '../helpers/cli.js'
import { loopbackPort } from '../cluster/processes.js'

/** A kubeconfig pointing at a loopback port nobody listens on. */
function unreachable(port: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'payment' } }],
    'current-context': 'ctx',
  })
}

t.test('blocks and clear: bad input is one line and exit 2, nothing written', async (t) => {
  const port = await loopbackPort()
  const cwd = t.testdir({ kubeconfig: unreachable(port) })
  const env = { HOME: cwd }
  const cases: [string[], RegExp][] = [
    [
      ['blocks', '--kubeconfig', 'missing'],
      /^wfe-admission blocks: --kubeconfig missing: does not exist: pass --kubeconfig FILE or set \$KUBECONFIG/,
    ],
    [['blocks'], /^wfe-admission blocks: ~\/\.kube\/config: does not exist/],
    [
      ['blocks', '--kubeconfig', 'kubeconfig'],
      new RegExp(
        `^wfe-admission blocks: cannot reach the apiserver at https://127\\.0\\.0\\.1:${port} \\(--kubeconfig kubeconfig\\): .*ECONNREFUSED`,
      ),
    ],
    [
      ['blocks', '--kubeconfig', 'kubeconfig', '--context', 'nope'],
      /^wfe-admission blocks: --context nope: no such context in --kubeconfig kubeconfig; it has ctx/,
    ],
    [['blocks', '--kubeconfig', 'kubeconfig', '-o', 'table'], /^wfe-admission blocks: --output must be wide, json or yaml, got "table"/],
    [['clear', 'wfe-1', '--kubeconfig', 'kubeconfig'], /^wfe-admission clear: --reason is required: say what you investigated and found/],
    [['clear', '--kubeconfig', 'kubeconfig', '--reason', 'x'], /^wfe-admission clear: give exactly one WorkflowExecution NAME \(got 0\)/],
    [
      ['clear', 'wfe-1', '--kubeconfig', 'kubeconfig', '--reason', 'the node pool was replaced and it works'],
      /^wfe-admission clear: cannot reach the apiserver at/,
    ],
  ]
  for (const [argv, message] of cases) {
    const r = await runCli(argv, { cwd, env })
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.stderr, message, argv.join(' '))
    t.equal(r.stderr.trimEnd().split('\n').length, 1, `${argv.join(' ')}: one line`)
    t.equal(r.stdout, '')
  }
})
