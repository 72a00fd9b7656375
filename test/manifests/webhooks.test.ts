// The two webhook configurations in `kubectl kustomize manifests/`: paths are the server's routes,
// the settings that decide what happens when the server is slow or gone, and the /status
// matchCondition evaluated with a CEL engine on the requests the apiserver would send, checked
// against the policy itself: whenever the condition skips the call, mutating would change nothing.
import t from 'tap'
import { Environment } from '@marcbachmann/cel-js'
import { MUTATE_PATH, VALIDATE_PATH } from '../../src/server/admission.js'
import fc from 'fast-check'
import { admit } from '../../src/admission/admit.js'
import { aFailedExecution, aRequest, CONTROLLER, FIXED_NOW_RFC3339, OPERATOR, testPolicy } from '../helpers/objects.js'
import { kustomize, one } from './kustomize.js'

const objects = await kustomize('manifests')
const validating = one(objects, 'ValidatingWebhookConfiguration', 'wfe-admission.kubernaut.ai')
const mutating = one(objects, 'MutatingWebhookConfiguration', 'wfe-admission.kubernaut.ai')

interface Rule {
  apiGroups: string[]
  apiVersions: string[]
  resources: string[]
  operations: string[]
}
interface Webhook {
  name: string
  clientConfig: { caBundle?: string; service: { name: string; namespace: string; path: string; port: number } }
  rules: Rule[]
  matchConditions?: { name: string; expression: string }[]
  [key: string]: unknown
}
const vhooks = validating.webhooks as Webhook[]
const mhooks = mutating.webhooks as Webhook[]
const byResource = (hooks: Webhook[], resource: string): Webhook[] =>
  hooks.filter((h) => h.rules.some((r) => r.resources.includes(resource)))

t.test('each webhook calls the server route of its kind through the Service', async (t) => {
  const svc = one(objects, 'Service', 'wfe-admission')
  const port443 = svc.spec.ports.find((p: { port: number }) => p.port === 443)
  for (const [hooks, path] of [
    [vhooks, VALIDATE_PATH],
    [mhooks, MUTATE_PATH],
  ] as const) {
    for (const h of hooks) {
      t.same(h.clientConfig.service, { name: svc.metadata.name, namespace: svc.metadata.namespace, path, port: port443.port }, h.name)
      // Shipped empty for `certs --inject` to fill; an operator's checkout may hold an injected CA.
      const bundle = h.clientConfig.caBundle ?? ''
      const injected = bundle !== '' && Buffer.from(bundle, 'base64').toString().startsWith('-----BEGIN CERTIFICATE-----')
      t.ok(bundle === '' || injected, `${h.name}: caBundle empty, or a CA injected by certs --inject`)
    }
  }
  t.same(
    vhooks.map((h) => h.name),
    ['validate.workflowexecution.kubernaut.ai'],
  )
  t.equal(mhooks[0]?.name, 'mutate.workflowexecution.kubernaut.ai')
})

t.test('rules cover the resource on CREATE/UPDATE (and DELETE for validation) and /status on UPDATE, for both kinds', async (t) => {
  for (const hooks of [vhooks, mhooks]) {
    const rules = hooks.flatMap((h) => h.rules)
    for (const r of rules) {
      t.same(r.apiGroups, ['kubernaut.ai'])
      t.same(r.apiVersions, ['v1alpha1'])
    }
    const ops = (resource: string): string[] =>
      rules
        .filter((r) => r.resources.includes(resource))
        .flatMap((r) => r.operations)
        .sort()
    t.same(
      ops('workflowexecutions'),
      hooks === vhooks ? ['CREATE', 'DELETE', 'UPDATE'] : ['CREATE', 'UPDATE'],
      'DELETE is validated only (blocked-delete-refused); nothing mutates a deletion',
    )
    t.same(ops('workflowexecutions/status'), ['UPDATE'])
  }
})

t.test('failure handling: fail closed, bounded timeout, v1 reviews, equivalent matching', async (t) => {
  for (const h of [...vhooks, ...mhooks]) {
    t.equal(h.failurePolicy, 'Fail', h.name)
    t.same(h.admissionReviewVersions, ['v1'], h.name)
    t.equal(h.matchPolicy, 'Equivalent', h.name)
    t.ok(
      typeof h.timeoutSeconds === 'number' && h.timeoutSeconds >= 1 && h.timeoutSeconds <= 10,
      `${h.name}: timeoutSeconds ${String(h.timeoutSeconds)}`,
    )
    t.equal(h.namespaceSelector, undefined, `${h.name}: no namespace is excluded (kube-system included)`)
  }
  for (const h of vhooks) t.equal(h.sideEffects, 'NoneOnDryRun', `${h.name}: admission markers for deletions, never on dry runs`)
  for (const h of mhooks) {
    t.equal(h.sideEffects, 'NoneOnDryRun', `${h.name}: Events are written, never on dry runs`)
    t.equal(h.reinvocationPolicy, 'Never', h.name)
  }
})

t.test('each webhook has its own built-in matchCondition', async (t) => {
  const main = byResource(mhooks, 'workflowexecutions')
  const status = byResource(mhooks, 'workflowexecutions/status')
  t.equal(main.length, 1)
  t.equal(status.length, 1)
  t.not(main[0], status[0], 'matchConditions are per webhook, so /status needs its own entry')
  t.same(
    main[0]?.matchConditions?.map((c) => c.name),
    ['something-to-mutate'],
  )
  t.same(
    status[0]?.matchConditions?.map((c) => c.name),
    ['new-block-clearance'],
  )
  t.same(
    vhooks[0]?.matchConditions?.map((c) => c.name),
    ['delete-of-a-blocked-execution'],
    'only a DELETE can skip validation',
  )
})

// Kubernetes binds object, oldObject and request (plus authorizer, unused here) as dynamic values.
const env = new Environment().registerVariable('object', 'dyn').registerVariable('oldObject', 'dyn').registerVariable('request', 'dyn')
const statusHook = byResource(mhooks, 'workflowexecutions/status')[0]
const expression = statusHook?.matchConditions?.[0]?.expression ?? ''
const policy = testPolicy()

type Status = Record<string, unknown>
const REASON = 'node drained and the target verified by hand'
const attributed = { clearedBy: OPERATOR.username, clearedAt: '2026-11-25T10:00:00Z', clearReason: REASON, clearMethod: 'StatusField' }
const requested = { clearReason: REASON, clearMethod: 'StatusField' }

/** A /status UPDATE from `user`, the stored object's status edited by `oldStatus` and the new one's by `newStatus`. */
function statusWrite(oldStatus: (s: Status) => void, newStatus: (s: Status) => void, user = CONTROLLER) {
  const oldObject = aFailedExecution((w) => oldStatus(w.status as Status))
  const object = structuredClone(oldObject)
  newStatus(object.status as Status)
  return aRequest({ operation: 'UPDATE', subResource: 'status', object, oldObject, userInfo: user })
}
function called(request: ReturnType<typeof aRequest>): unknown {
  return env.evaluate(expression, { object: request.object, oldObject: request.oldObject, request })
}
const set = (bc: unknown) => (s: Status) => {
  s['blockClearance'] = structuredClone(bc)
}
const keep = () => {}

t.test('the /status matchCondition type-checks as a bool', async (t) => {
  t.same(env.check(expression), { valid: true, type: 'bool' })
})

t.test('routine status writes skip the mutating call', async (t) => {
  t.equal(
    called(
      statusWrite(keep, (s) => {
        s['phase'] = 'Failed'
        s['message'] = 'x'
      }),
    ),
    false,
    'status change, no clearance',
  )
  t.equal(
    called(
      statusWrite(
        (s) => {
          delete s['phase']
        },
        (s) => {
          s['phase'] = 'Pending'
        },
      ),
    ),
    false,
    'first phase',
  )
  t.equal(called(statusWrite(set(attributed), keep)), false, 'attributed clearance carried over unchanged')
  t.equal(
    called(statusWrite(set(attributed), set({ ...attributed, clearedBy: 'mallory' }), OPERATOR)),
    false,
    'attributed clearance rewritten: the validating webhook denies it',
  )
  t.equal(
    called(
      statusWrite(
        set(attributed),
        (s) => {
          delete s['blockClearance']
        },
        OPERATOR,
      ),
    ),
    false,
    'attributed clearance removed: the validating webhook denies it',
  )
  t.equal(called(statusWrite(keep, set(null))), false, 'explicit null is absent (the apiserver prunes it anyway)')
})

t.test('writes that bring a new block clearance are sent to the mutating webhook', async (t) => {
  t.equal(called(statusWrite(keep, set(requested), OPERATOR)), true, 'clearance added')
  t.equal(called(statusWrite(set(null), set(requested), OPERATOR)), true, 'clearance replacing null')
  t.equal(
    called(statusWrite(set({ ...requested, clearedBy: '' }), keep)),
    true,
    'stored clearance never attributed (written while the webhook was off)',
  )
  t.equal(
    called(statusWrite(set(requested), set({ ...requested, clearedBy: 'mallory' }), OPERATOR)),
    true,
    'forged clearedBy on an unattributed clearance',
  )
  t.equal(called(statusWrite(keep, set('cleared'), OPERATOR)), true, 'a malformed clearance is not skipped')
  const main = aRequest({ operation: 'CREATE', object: aFailedExecution() })
  t.equal(env.evaluate(expression, { object: main.object, oldObject: null, request: main }), true, 'the main resource is never filtered')
})

t.test('whenever the condition skips, the mutating webhook would have changed nothing', async (t) => {
  const clearance = fc.record(
    {
      clearedBy: fc.constantFrom('', OPERATOR.username, CONTROLLER.username),
      clearedAt: fc.constantFrom(FIXED_NOW_RFC3339, '2026-01-01T00:00:00Z'),
      clearReason: fc.constantFrom('too short', REASON),
      clearMethod: fc.constantFrom('StatusField', 'Annotation', ''),
    },
    { requiredKeys: [] },
  )
  const absent = fc.constant(undefined)
  const stored = fc.oneof(absent, fc.constant(null), clearance)
  const incoming = fc.oneof(absent, fc.constant(null), clearance, fc.constant('same'), fc.constant('cleared'))
  let skipped = 0
  fc.assert(
    fc.property(stored, incoming, fc.constantFrom('Failed', 'Running'), fc.constantFrom(OPERATOR, CONTROLLER), (old, next, phase, user) => {
      const request = statusWrite(
        (s) => {
          if (old !== undefined) s['blockClearance'] = old
        },
        (s) => {
          s['phase'] = phase
          if (next === 'same') return
          if (next === undefined) delete s['blockClearance']
          else s['blockClearance'] = next
        },
        user,
      )
      if (called(request) !== false) return
      skipped++
      const result = admit(request, policy, 'mutate')
      if (result.response.allowed !== true || result.response.patch !== undefined || result.effects.length > 0) {
        throw new Error(`skipped a write the mutating webhook would change: ${JSON.stringify(result.response)}`)
      }
    }),
    { seed: 20260425, numRuns: 400 },
  )
  t.ok(skipped > 50, `${skipped} of 400 generated status writes skipped, each a no-op for the mutating webhook`)
})

t.test('the condition does not error on the shapes a status write can have', async (t) => {
  t.doesNotThrow(() => env.evaluate(expression, { object: {}, oldObject: {}, request: { subResource: 'status' } }))
  t.doesNotThrow(() => env.evaluate(expression, { object: aFailedExecution(), oldObject: null, request: { subResource: 'status' } }))
  t.doesNotThrow(() => called(statusWrite(set({}), set({}))))
})
