// Validation ratcheting against the real kube-apiserver (docs/rules.md, "Ratcheting"): an object
// stored while the webhooks were not registered and under an older, looser CRD (no enum on
// status.executionEngine), breaking rules the webhook enforces on CREATE and on /status, can still
// have its status advanced and its finalizer removed once both are back, so it can be deleted; a new
// violation is still refused. The apiserver ratchets its own CRD validation the same way.
import t from 'tap'
import { webhookState } from '../cluster/webhook.js'
import { USERS, cluster, create, eventually, get, kubectl, kubectlOk, namespace, patch, wfe, type K8sObject } from './harness.js'

const ns = await namespace('e2e-ratchet')
const NAME = 'stored-unchecked'

async function configurations(): Promise<K8sObject[]> {
  const out: K8sObject[] = []
  for (const kind of ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration']) {
    const o = JSON.parse(await kubectlOk(['get', kind, 'wfe-admission.kubernaut.ai', '-o', 'json'])) as K8sObject
    delete o.metadata.resourceVersion; delete o.metadata.uid; delete o.metadata.creationTimestamp; delete o.metadata.generation; delete o.metadata.managedFields
    out.push(o)
  }
  return out
}

const CRD = 'customresourcedefinition/workflowexecutions.kubernaut.ai'

async function crd(): Promise<K8sObject> {
  const o = JSON.parse(await kubectlOk(['get', CRD, '-o', 'json'])) as K8sObject
  delete o.metadata.resourceVersion; delete o.metadata.uid; delete o.metadata.creationTimestamp; delete o.metadata.generation; delete o.metadata.managedFields
  delete o.status
  return o
}

/** Replaces the CRD and waits until a dry-run create shows the apiserver serving `engineEnum` or not. */
async function applyCrd(o: K8sObject): Promise<void> {
  await kubectlOk(['replace', '-f', '-'], { input: JSON.stringify(o) })
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', CRD])
}

const saved = await configurations()
const savedCrd = await crd()
const restore = async (): Promise<void> => {
  const current = JSON.parse(await kubectlOk(['get', CRD, '-o', 'json'])) as K8sObject
  await applyCrd({ ...savedCrd, metadata: { ...savedCrd.metadata, resourceVersion: current.metadata.resourceVersion } })
  await kubectlOk(['apply', '-f', '-'], { input: saved.map((o) => JSON.stringify(o)).join('\n') })
  await eventually('both webhooks answering again', async () => { const s = await webhookState(cluster); return s?.mutating === true && s.validating ? true : undefined }, 60_000)
}
t.teardown(restore)

t.test('stored with the webhooks unregistered: only the CRD judges it', async (t) => {
  await kubectlOk(['delete', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', 'wfe-admission.kubernaut.ai'])
  await eventually('neither webhook called', async () => { const s = await webhookState(cluster); return s !== undefined && !s.mutating && !s.validating ? true : undefined }, 60_000)
  const object = wfe(ns, NAME, (w) => {
    w.metadata.finalizers = ['kubernaut.ai/cleanup']
    // The CRD's schema allows it (its CEL rules check targetResource's form themselves); the
    // webhook's parameter-name-valid refuses it on CREATE.
    w.spec.parameters = { 'deployment-name': 'payment-api' }
    w.spec.executionConfig = { timeout: '30m' }
  })
  const r = await create(object, { as: USERS.orchestrator })
  t.equal(r.code, 0, r.stderr)
  // An older CRD without the enum on status.executionEngine.
  const loose = JSON.parse(await kubectlOk(['get', CRD, '-o', 'json'])) as K8sObject
  delete loose.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.executionEngine.enum
  await applyCrd(loose)
  await eventually('the looser CRD served', async () => {
    const r = await patch(ns, NAME, { status: { phase: 'Running', executionEngine: 'argo' } }, { status: true, as: USERS.controller })
    return r.code === 0 ? true : undefined
  })
  await restore()
  t.equal((await get(ns, NAME)).status?.executionEngine, 'argo', 'stored with a value the current CRD and webhook refuse')
  const engine = await create(wfe(ns, 'engine-check'), { as: USERS.orchestrator })
  t.equal(engine.code, 0, engine.stderr)
  const refused = await patch(ns, 'engine-check', { status: { phase: 'Running', executionEngine: 'argo' } }, { status: true, as: USERS.controller })
  t.not(refused.code, 0, 'a new unsupported engine is refused')
  const again = await create(wfe(ns, 'fresh-bad', (w) => { w.spec.parameters = { 'deployment-name': 'payment-api' } }), { as: USERS.orchestrator })
  t.not(again.code, 0, 'with the webhooks back, the same content is refused on CREATE')
  t.match(again.stderr, /admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied the request: spec\.parameters\[deployment-name\]/)
})

t.test('with the webhooks back: a routine status write passes over the stored content errors', async (t) => {
  // Without ratcheting, execution-engine-enum would refuse this for the unchanged "argo".
  const r = await patch(ns, NAME, { status: { phase: 'Completed' } }, { status: true, as: USERS.controller })
  t.equal(r.code, 0, r.stderr)
  t.equal((await get(ns, NAME)).status?.executionEngine, 'argo')
  t.equal((await get(ns, NAME)).status?.phase, 'Completed')
  const backwards = await patch(ns, NAME, { status: { phase: 'Running' } }, { status: true, as: USERS.controller })
  t.not(backwards.code, 0, 'transition rules are never ratcheted')
  t.match(backwards.stderr, /status\.phase: Invalid value: "Running": phase cannot move from Completed to Running/)
})

t.test('a label write passes; a spec change is still refused', async (t) => {
  const label = await patch(ns, NAME, { metadata: { labels: { team: 'payments' } } }, { as: USERS.alice })
  t.equal(label.code, 0, label.stderr)
  const spec = await patch(ns, NAME, { spec: { parameters: { DEPLOYMENT_NAME: 'payment-api' } } }, { as: USERS.alice })
  t.not(spec.code, 0, 'fixing the spec is a spec change: delete and recreate')
})

t.test('delete, then the finalizer removal the webhook must not block: the object goes', async (t) => {
  const del = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', NAME, '-n', ns, '--wait=false'], { as: USERS.alice })
  t.equal(del.code, 0, del.stderr)
  t.ok((await get(ns, NAME)).metadata.deletionTimestamp, 'held by its finalizer')
  const r = await patch(ns, NAME, [{ op: 'remove', path: '/metadata/finalizers' }], { type: 'json', as: USERS.controller })
  t.equal(r.code, 0, r.stderr)
  await eventually('the object deleted', async () => {
    const g = await kubectl(['get', 'workflowexecutions.kubernaut.ai', NAME, '-n', ns, '-o', 'name'])
    return g.code !== 0 && /NotFound|not found/.test(g.stderr) ? true : undefined
  })
  t.pass('deleted')
})
