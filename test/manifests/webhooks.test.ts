// The two webhook configurations in `kubectl kustomize manifests/`: paths are the server's routes,
// the settings that decide what happens when the server is slow or gone, and the /status
// matchCondition evaluated with a CEL engine on the requests the apiserver would send.
import t from 'tap'
import { Environment } from '@marcbachmann/cel-js'
import { MUTATE_PATH, VALIDATE_PATH } from '../../src/server/admission.js'
import { kustomize, one } from './kustomize.js'

const objects = await kustomize('manifests')
const validating = one(objects, 'ValidatingWebhookConfiguration', 'wfe-admission.kubernaut.ai')
const mutating = one(objects, 'MutatingWebhookConfiguration', 'wfe-admission.kubernaut.ai')

interface Rule { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[] }
interface Webhook {
  name: string
  clientConfig: { caBundle?: string; service: { name: string; namespace: string; path: string; port: number } }
  rules: Rule[]
  matchConditions?: { name: string; expression: string }[]
  [key: string]: unknown
}
const vhooks = validating.webhooks as Webhook[]
const mhooks = mutating.webhooks as Webhook[]
const byResource = (hooks: Webhook[], resource: string): Webhook[] => hooks.filter((h) => h.rules.some((r) => r.resources.includes(resource)))

t.test('each webhook calls the server route of its kind through the Service', async (t) => {
  const svc = one(objects, 'Service', 'wfe-admission')
  const port443 = svc.spec.ports.find((p: { port: number }) => p.port === 443)
  for (const [hooks, path] of [[vhooks, VALIDATE_PATH], [mhooks, MUTATE_PATH]] as const) {
    for (const h of hooks) {
      t.same(h.clientConfig.service, { name: svc.metadata.name, namespace: svc.metadata.namespace, path, port: port443.port }, h.name)
      t.equal(h.clientConfig.caBundle, '', `${h.name}: empty caBundle for certs --inject to fill`)
    }
  }
  t.same(vhooks.map((h) => h.name), ['validate.workflowexecution.kubernaut.ai'])
  t.equal(mhooks[0]?.name, 'mutate.workflowexecution.kubernaut.ai')
})

t.test('rules cover the resource on CREATE/UPDATE and /status on UPDATE, for both kinds', async (t) => {
  for (const hooks of [vhooks, mhooks]) {
    const rules = hooks.flatMap((h) => h.rules)
    for (const r of rules) {
      t.same(r.apiGroups, ['kubernaut.ai'])
      t.same(r.apiVersions, ['v1alpha1'])
    }
    const ops = (resource: string): string[] => rules.filter((r) => r.resources.includes(resource)).flatMap((r) => r.operations).sort()
    t.same(ops('workflowexecutions'), ['CREATE', 'UPDATE'])
    t.same(ops('workflowexecutions/status'), ['UPDATE'])
  }
})

t.test('failure handling: fail closed, bounded timeout, v1 reviews, equivalent matching', async (t) => {
  for (const h of [...vhooks, ...mhooks]) {
    t.equal(h.failurePolicy, 'Fail', h.name)
    t.same(h.admissionReviewVersions, ['v1'], h.name)
    t.equal(h.matchPolicy, 'Equivalent', h.name)
    t.ok(typeof h.timeoutSeconds === 'number' && h.timeoutSeconds >= 1 && h.timeoutSeconds <= 10, `${h.name}: timeoutSeconds ${String(h.timeoutSeconds)}`)
    t.same(h.namespaceSelector, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] }, h.name)
  }
  for (const h of vhooks) t.equal(h.sideEffects, 'None', h.name)
  for (const h of mhooks) {
    t.equal(h.sideEffects, 'NoneOnDryRun', `${h.name}: Events are written, never on dry runs`)
    t.equal(h.reinvocationPolicy, 'Never', h.name)
  }
})

t.test('only the mutating /status webhook has a matchCondition', async (t) => {
  for (const h of vhooks) t.notOk(h.matchConditions, `${h.name}: every write must be validated`)
  const main = byResource(mhooks, 'workflowexecutions')
  const status = byResource(mhooks, 'workflowexecutions/status')
  t.equal(main.length, 1)
  t.equal(status.length, 1)
  t.not(main[0], status[0], 'matchConditions are per webhook, so /status needs its own entry')
  t.notOk(main[0]?.matchConditions)
  t.equal(status[0]?.matchConditions?.length, 1)
})

// Kubernetes binds object, oldObject and request (plus authorizer, unused here) as dynamic values.
const env = new Environment().registerVariable('object', 'dyn').registerVariable('oldObject', 'dyn').registerVariable('request', 'dyn')
const statusHook = byResource(mhooks, 'workflowexecutions/status')[0]
const expression = statusHook?.matchConditions?.[0]?.expression ?? ''

const clearance = { clearedBy: 'alice@kubernaut.ai', clearedAt: '2026-03-01T10:00:00Z', clearReason: 'node drained and the target verified by hand', clearMethod: 'StatusField' }
const wfe = (status?: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'kubernaut.ai/v1alpha1',
  kind: 'WorkflowExecution',
  metadata: { name: 'wfe-1', namespace: 'team-a' },
  spec: { targetResource: 'team-a/Deployment/api' },
  ...(status === undefined ? {} : { status }),
})
const statusWrite = { operation: 'UPDATE', subResource: 'status', resource: { group: 'kubernaut.ai', version: 'v1alpha1', resource: 'workflowexecutions' } }

function called(object: unknown, oldObject: unknown, request: Record<string, unknown> = statusWrite): unknown {
  return env.evaluate(expression, { object, oldObject, request })
}

t.test('the /status matchCondition type-checks as a bool', async (t) => {
  t.same(env.check(expression), { valid: true, type: 'bool' })
})

t.test('routine controller status writes skip the mutating call', async (t) => {
  t.equal(called(wfe({ phase: 'Running' }), wfe({ phase: 'Pending' })), false, 'phase change, no clearance')
  t.equal(called(wfe({ phase: 'Pending' }), wfe()), false, 'first status write')
  t.equal(called(wfe(), wfe()), false, 'no status at all')
  t.equal(called(wfe({ phase: 'Running', blockClearance: { ...clearance } }), wfe({ phase: 'Failed', blockClearance: { ...clearance } })), false, 'clearance carried over unchanged')
})

t.test('writes that touch blockClearance are sent to the mutating webhook', async (t) => {
  t.equal(called(wfe({ phase: 'Failed', blockClearance: clearance }), wfe({ phase: 'Failed' })), true, 'clearance added')
  t.equal(called(wfe({ phase: 'Failed', blockClearance: { ...clearance, clearedBy: 'mallory' } }), wfe({ phase: 'Failed', blockClearance: clearance })), true, 'clearedBy rewritten')
  t.equal(called(wfe({ phase: 'Failed', blockClearance: { ...clearance, clearReason: 'other' } }), wfe({ phase: 'Failed', blockClearance: clearance })), true, 'reason rewritten')
  t.equal(called(wfe({ phase: 'Failed' }), wfe({ phase: 'Failed', blockClearance: clearance })), true, 'attributed clearance removed')
  t.equal(called(wfe({ blockClearance: clearance }), wfe()), true, 'status created together with a clearance')
})

t.test('the condition never errors on odd shapes (an error would reject the write)', async (t) => {
  t.doesNotThrow(() => called({}, {}))
  // The apiserver prunes nulls of non-nullable fields before admission; null means "absent" here too.
  t.equal(called(wfe({ phase: 'Failed', blockClearance: null }), wfe({ phase: 'Failed' })), false, 'explicit null is the same as absent')
  t.equal(called(wfe({ phase: 'Failed', blockClearance: null }), wfe({ phase: 'Failed', blockClearance: clearance })), true, 'clearance nulled out')
  t.doesNotThrow(() => called(wfe({ blockClearance: clearance }), null))
  t.equal(called(wfe({ blockClearance: clearance }), null), true)
  t.equal(called(wfe(), null, { operation: 'CREATE', subResource: '' }), true, 'the main resource is never filtered')
})
