// Validation ratcheting against the real kube-apiserver (docs/rules.md, "Ratcheting"): an object
// stored while the webhooks were not registered and under an older, looser CRD (no enum on
// status.conditions[].status), breaking rules the webhook enforces on CREATE and on /status, can still
// have its status advanced and its finalizer removed once both are back, so it can be deleted; a new
// violation is still refused. The apiserver ratchets its own CRD validation the same way.
import t from 'tap'
import { USERS, create, eventually, get, kubectl, kubectlOk, namespace, patch, unregisterWebhooks, wfe } from './harness.js'

const ns = await namespace('e2e-ratchet')
const NAME = 'stored-unchecked'

const CRD = 'customresourcedefinition/workflowexecutions.kubernaut.ai'
const ENUM_PATH = '/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/conditions/items/properties/status/enum'
const CONDITION = { type: 'Ready', reason: 'Waiting', message: 'waiting for the pipeline', lastTransitionTime: '2026-11-25T09:00:00Z' }

/**
 * Loosens or restores the CRD with a JSON patch: `kubectl replace` would rewrite kubectl's
 * last-applied annotation with the object sent (resourceVersion and all), and every later
 * `kubectl apply` of manifests/crd would then fail.
 */
async function patchCrd(ops: object[]): Promise<void> {
  await kubectlOk(['patch', CRD, '--type=json', '-p', JSON.stringify(ops)])
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', CRD])
}

const savedEnum = JSON.parse(await kubectlOk(['get', CRD, '-o', 'json'])).spec.versions[0].schema.openAPIV3Schema.properties.status
  .properties.conditions.items.properties.status.enum as string[]
let loosened = false
let restoreWebhooks = async (): Promise<void> => {}
const restore = async (): Promise<void> => {
  if (loosened) {
    await patchCrd([{ op: 'add', path: ENUM_PATH, value: savedEnum }])
    loosened = false
  }
  await restoreWebhooks()
}
t.teardown(restore)

t.test('stored with the webhooks unregistered: only the CRD judges it', async (t) => {
  restoreWebhooks = await unregisterWebhooks()
  const object = wfe(ns, NAME, (w) => {
    w.metadata.finalizers = ['kubernaut.ai/cleanup']
    // The CRD's schema allows it (its CEL rules check targetResource's form themselves); the
    // webhook's parameter-name-valid refuses it on CREATE.
    w.spec.parameters = { 'deployment-name': 'payment-api' }
    w.spec.executionConfig = { timeout: '30m' }
  })
  const r = await create(object, { as: USERS.orchestrator })
  t.equal(r.code, 0, r.stderr)
  // An older CRD without the enum on a condition's status.
  await patchCrd([{ op: 'remove', path: ENUM_PATH }])
  loosened = true
  await eventually('the looser CRD served', async () => {
    const r = await patch(
      ns,
      NAME,
      { status: { phase: 'Running', conditions: [{ ...CONDITION, status: 'Maybe' }] } },
      { status: true, as: USERS.controller },
    )
    return r.code === 0 ? true : undefined
  })
  await restore()
  t.equal((await get(ns, NAME)).status?.conditions?.[0]?.status, 'Maybe', 'stored with a value the current CRD and webhook refuse')
  const other = await create(wfe(ns, 'condition-check'), { as: USERS.orchestrator })
  t.equal(other.code, 0, other.stderr)
  const refused = await patch(
    ns,
    'condition-check',
    { status: { phase: 'Running', conditions: [{ ...CONDITION, status: 'Maybe' }] } },
    { status: true, as: USERS.controller },
  )
  t.not(refused.code, 0, 'a new unsupported condition status is refused')
  const again = await create(
    wfe(ns, 'fresh-bad', (w) => {
      w.spec.parameters = { 'deployment-name': 'payment-api' }
    }),
    { as: USERS.orchestrator },
  )
  t.not(again.code, 0, 'with the webhooks back, the same content is refused on CREATE')
  t.match(
    again.stderr,
    /admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied the request: spec\.parameters\[deployment-name\]/,
  )
})

t.test('with the webhooks back: a routine status write passes over the stored content errors', async (t) => {
  // Without ratcheting, condition-status-enum would refuse this for the unchanged "Maybe".
  const r = await patch(ns, NAME, { status: { phase: 'Completed' } }, { status: true, as: USERS.controller })
  t.equal(r.code, 0, r.stderr)
  t.equal((await get(ns, NAME)).status?.conditions?.[0]?.status, 'Maybe')
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
