// The other clients and the tooling itself: @kubernetes/client-node writes through both webhooks,
// kubectl apply/delete, the CRD accepted as shipped, and `npm run cluster` stopping on SIGTERM with
// no process left behind.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../cluster/tools.js'
import { runKubectl } from '../cluster/kubectl.js'
import { USERS, cluster, eventually, get, kubectl, kubectlOk, namespace, wfe, type K8sObject } from './harness.js'

const ns = await namespace('e2e-clients')

t.test('the CRD from manifests/crd is accepted as is: established, names accepted, structural', async (t) => {
  const crd = JSON.parse(await kubectlOk(['get', 'crd', 'workflowexecutions.kubernaut.ai', '-o', 'json'])) as K8sObject
  const conditions = Object.fromEntries((crd.status.conditions as K8sObject[]).map((c) => [c.type, c.status]))
  t.equal(conditions['Established'], 'True')
  t.equal(conditions['NamesAccepted'], 'True')
  t.notOk(conditions['NonStructuralSchema'], 'no NonStructuralSchema condition')
  const dry = await kubectl(['apply', '--dry-run=server', '-k', join(ROOT, 'manifests/crd')])
  t.equal(dry.code, 0, dry.stderr)
  t.notMatch(dry.stderr, /Warning/, 'the apiserver has no warning about the CRD (CEL cost, schema)')
})

t.test('@kubernetes/client-node: create is defaulted, the stored object reads back, status patched, deleted', async (t) => {
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(cluster.kubeconfig)
  const api = kc.makeApiClient(k8s.CustomObjectsApi)
  const group = 'kubernaut.ai',
    version = 'v1alpha1',
    plural = 'workflowexecutions'
  const created = (await api.createNamespacedCustomObject({
    group,
    version,
    namespace: ns,
    plural,
    body: wfe(ns, 'client-node'),
  })) as K8sObject
  t.type(created.spec.executionConfig.timeout, 'string', 'the mutating webhook defaulted the timeout')
  const back = (await api.getNamespacedCustomObject({ group, version, namespace: ns, plural, name: 'client-node' })) as K8sObject
  t.same(back.spec, created.spec)
  const patched = (await api.patchNamespacedCustomObjectStatus(
    { group, version, namespace: ns, plural, name: 'client-node', body: { status: { phase: 'Pending' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as K8sObject
  t.equal(patched.status.phase, 'Pending')
  await t.rejects(
    api.patchNamespacedCustomObjectStatus(
      { group, version, namespace: ns, plural, name: 'client-node', body: { status: { phase: 'Bogus' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    ),
    /status\.phase/,
    'a denial reaches client-node as an error naming the field',
  )
  await api.deleteNamespacedCustomObject({ group, version, namespace: ns, plural, name: 'client-node' })
  t.match((await kubectl(['get', 'workflowexecutions.kubernaut.ai', 'client-node', '-n', ns])).stderr, /NotFound/)
})

t.test('kubectl apply creates and then updates metadata; delete removes', async (t) => {
  const obj = wfe(ns, 'applied')
  const first = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj), as: USERS.orchestrator })
  t.equal(first.code, 0, first.stderr)
  const stored = await get(ns, 'applied')
  obj.metadata.labels = { ...obj.metadata.labels, team: 'payments' }
  // What kubectl apply of the original file sends again: the timeout the webhook defaulted is not in
  // the file, and apply's three-way merge keeps the server's value.
  const second = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj), as: USERS.alice })
  t.equal(second.code, 0, second.stderr)
  const after = await get(ns, 'applied')
  t.equal(after.metadata.labels.team, 'payments')
  t.same(after.spec, stored.spec, 'the spec is unchanged')
  const del = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'applied', '-n', ns], { as: USERS.alice })
  t.equal(del.code, 0, del.stderr)
})

t.test('npm run cluster: ready file, a working kubeconfig, and SIGTERM leaves no process behind', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'wfe-cluster-cli-'))
  t.teardown(() => rm(parent, { recursive: true, force: true }))
  const dir = join(parent, 'c')
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['test/cluster/main.ts', '--dir', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  // The ready file is the event the tooling promises; a premature exit is reported with its words.
  await eventually(
    'the ready file',
    async () => {
      if (child.exitCode !== null) throw new Error(`npm run cluster exited ${String(child.exitCode)}: ${stderr}`)
      return existsSync(join(dir, 'ready')) ? true : undefined
    },
    180_000,
  )
  const info = JSON.parse(readFileSync(join(dir, 'ready'), 'utf8')) as { kubeconfig: string }
  const r = await runKubectl(cluster.kubectl, info.kubeconfig, ['get', 'namespaces', '-o', 'name'])
  t.match(r.stdout, /namespace\/kube-system/, 'its kubeconfig works')
  t.notMatch(r.stdout, new RegExp(`namespace/${ns}`), "and reaches its own apiserver, not the suite's")
  const pids = (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { pids: number[] }).pids
  t.equal(pids.length, 3, 'etcd, kube-apiserver and kube-controller-manager')
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'exit 0 after SIGTERM')
  for (const pid of pids) t.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`)
  t.notOk(existsSync(join(dir, 'ready')), 'the ready file is removed')
})
