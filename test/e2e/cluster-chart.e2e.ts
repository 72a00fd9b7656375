// `npm run cluster -- --chart` as the README documents it (issue 21): a control plane of its own
// where the webhook is installed by `helm install` of charts/wfe-admission (tls.mode manual, the
// configurations pointed at the server on loopback), so a user can try `helm upgrade` and
// `helm uninstall`. Driven with DIR/helm and DIR/kubectl, as the README says; stopped by SIGTERM to
// the launcher's group. The 10 s bound on the exit is a hang guard, not a speed claim.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../cluster/tools.js'
import { launchCluster } from './launcher.js'
import { waitUntil } from '../cluster/processes.js'
import { runKubectl } from '../cluster/kubectl.js'
import { runHelm } from '../cluster/chart.js'
import { webhookState, type K8sObject } from '../cluster/webhook.js'
import type { ClusterInfo } from '../cluster/main.js'

const dir = await mkdtemp(join(tmpdir(), 'wfe-cluster-chart-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const CONFIGS = 'validatingwebhookconfiguration,mutatingwebhookconfiguration'

t.test('npm run cluster --chart: helm install, upgrade and uninstall against the loopback cluster', async (t) => {
  const launcher = await launchCluster(t, dir, '--chart')
  const info = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterInfo
  t.equal(info.helm, join(dir, 'helm'), 'cluster.json names DIR/helm')
  t.match(info.chart, { release: 'wfe-admission', namespace: 'kubernaut-system' })
  const cp = { kubectl: join(dir, 'kubectl'), kubeconfig: join(dir, 'kubeconfig') }
  const helm = (args: string[]): ReturnType<typeof runHelm> => runHelm(join(dir, 'helm'), cp.kubeconfig, args)
  const kubectl = (args: string[], opts: { as?: string; input?: string } = {}): ReturnType<typeof runKubectl> =>
    runKubectl(cp.kubectl, cp.kubeconfig, args, opts)

  const list = await helm(['list', '-n', 'kubernaut-system', '-o', 'json'])
  t.equal(list.code, 0, list.stderr)
  t.match(JSON.parse(list.stdout), [{ name: 'wfe-admission', status: 'deployed', revision: '1' }], 'one deployed release')
  const configs = async (): Promise<K8sObject[]> =>
    (JSON.parse((await kubectl(['get', CONFIGS, '-o', 'json'])).stdout) as { items: K8sObject[] }).items
  const installed = await configs()
  t.equal(installed.length, 2, 'both configurations exist')
  for (const c of installed) {
    t.equal(c['metadata'].labels?.['app.kubernetes.io/managed-by'], 'Helm', `${String(c['kind'])} is the release's`)
    for (const w of c['webhooks'] as K8sObject[]) t.match(w['clientConfig'].url, info.webhook?.url ?? '', 'points at the loopback server')
  }
  t.same(await webhookState(cp), { mutating: true, validating: true }, "both of the chart's webhooks answer")
  const sample = readFileSync(join(ROOT, 'examples/valid/defaulted-timeout.yaml'), 'utf8').replace(
    'namespace: kubernaut-system',
    'namespace: default',
  )
  const dry = await kubectl(['create', '--dry-run=server', '-f', '-', '-o', 'yaml'], { as: 'alice@example.com', input: sample })
  t.equal(dry.code, 0, dry.stderr)
  t.match(dry.stderr, /Warning: spec\.executionConfig\.timeout: defaulted to "30m0s"/, 'the mutating webhook answered alice')

  const upgraded = await helm([
    'upgrade',
    'wfe-admission',
    'charts/wfe-admission',
    '-n',
    'kubernaut-system',
    '--reuse-values',
    '--set',
    'webhooks.timeoutSeconds=7',
  ])
  t.equal(upgraded.code, 0, upgraded.stderr)
  for (const c of await configs())
    for (const w of c['webhooks'] as K8sObject[]) t.equal(w['timeoutSeconds'], 7, `helm upgrade changed ${String(w['name'])}`)
  t.same(await webhookState(cp), { mutating: true, validating: true }, 'the webhooks still answer after the upgrade')

  const removed = await helm(['uninstall', 'wfe-admission', '-n', 'kubernaut-system'])
  t.equal(removed.code, 0, removed.stderr)
  t.same(await configs(), [], 'helm uninstall leaves no webhook configuration')
  // The CRD (crds/) stays, as Helm keeps CRDs; writes are no longer sent to the webhook.
  await waitUntil(
    'writes no longer reach the webhook',
    async () => {
      const s = await webhookState(cp)
      return s !== undefined && !s.mutating && !s.validating ? true : undefined
    },
    { timeoutMs: 60_000 },
  )
  const plain = await kubectl(['create', '--dry-run=server', '-f', '-', '-o', 'yaml'], { as: 'alice@example.com', input: sample })
  t.equal(plain.code, 0, plain.stderr)
  t.notMatch(plain.stderr, /defaulted/, 'no mutating webhook after uninstall')

  const how = await launcher.stop()
  t.equal(how, 0, 'the launcher stopped everything and exited 0 within the bound')
  t.match(
    launcher.stderr(),
    /cluster: helm install wfe-admission charts\/wfe-admission -n kubernaut-system --create-namespace --set tls\.mode=manual/,
  )
})
