// The demo's stand-in apiserver: merge patches, the admission chain's order (mutate, apply the patch,
// prepare, validate), dry runs not stored, and fail-closed on a bad webhook answer. Against a tiny
// HTTPS webhook on loopback that records what it receives.
import t from 'tap'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { makeTestPki } from '../helpers/tls.js'
import { createFakeApiserver, mergePatch } from '../../demo/apiserver.js'
import { evaluateConditions, loadWebhooks, ruleMatches, type WebhookEntry } from '../../demo/webhooks.js'
import type { AdmissionRequest, AdmissionReview, AdmissionResponse } from '../../src/admission/types.js'
import { aRequest, aWorkflowExecution, CONTROLLER, OPERATOR } from '../helpers/objects.js'

t.test('mergePatch follows RFC 7386 and leaves its inputs alone', async (t) => {
  const target = { a: 1, b: { c: 2, d: 3 }, e: [1, 2] }
  t.same(mergePatch(target, { b: { c: null, x: 4 }, e: [3], f: 'new', a: null }), { b: { d: 3, x: 4 }, e: [3], f: 'new' })
  t.same(target, { a: 1, b: { c: 2, d: 3 }, e: [1, 2] })
})

t.test("the manifests' webhooks: names, paths, rules and the /status matchCondition", async (t) => {
  const hooks = loadWebhooks()
  t.same(
    hooks.map((h) => [h.type, h.name, h.path]),
    [
      ['mutating', 'mutate.workflowexecution.kubernaut.ai', '/mutate-workflowexecution'],
      ['mutating', 'mutate-status.workflowexecution.kubernaut.ai', '/mutate-workflowexecution'],
      ['validating', 'validate.workflowexecution.kubernaut.ai', '/validate-workflowexecution'],
    ],
  )
  const status = aRequest({
    operation: 'UPDATE',
    subResource: 'status',
    object: aWorkflowExecution(),
    oldObject: aWorkflowExecution(),
    userInfo: CONTROLLER,
  })
  const main = aRequest({ object: aWorkflowExecution() })
  t.same(
    hooks.filter((h) => ruleMatches(h, status)).map((h) => h.name),
    ['mutate-status.workflowexecution.kubernaut.ai', 'validate.workflowexecution.kubernaut.ai'],
  )
  t.same(
    hooks.filter((h) => ruleMatches(h, main)).map((h) => h.name),
    ['mutate.workflowexecution.kubernaut.ai', 'validate.workflowexecution.kubernaut.ai'],
  )
  const statusHook = hooks[1]!
  t.same(evaluateConditions(statusHook, status), { call: false, condition: 'new-block-clearance' })
  const broken: WebhookEntry = { ...statusHook, matchConditions: [{ name: 'bad', expression: 'object.nope.deeper' }] }
  t.match(evaluateConditions(broken, status), { error: /^matchCondition bad: / })
})

const pki = await makeTestPki()
const seen: { path: string; request: AdmissionRequest }[] = []
let answer: (path: string, request: AdmissionRequest) => AdmissionResponse = (_p, r) => ({ uid: r.uid, allowed: true })
const webhook: Server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
  let body = ''
  req.on('data', (c: Buffer) => {
    body += c.toString('utf8')
  })
  req.on('end', () => {
    const request = (JSON.parse(body) as AdmissionReview).request!
    const path = req.url ?? ''
    seen.push({ path, request })
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: answer(path, request) }))
  })
})
webhook.listen(0, '127.0.0.1')
await new Promise((r) => webhook.once('listening', r))
t.teardown(() => new Promise<void>((r) => webhook.close(() => r())))
const port = (webhook.address() as AddressInfo).port

function hook(type: WebhookEntry['type'], resources: string[]): WebhookEntry {
  return {
    name: `${type}.test`,
    type,
    path: `/${type}`,
    timeoutSeconds: 5,
    rules: [{ apiGroups: ['kubernaut.ai'], resources, operations: ['CREATE', 'UPDATE'] }],
    matchConditions: [],
  }
}

function apiserver() {
  seen.length = 0
  const api = createFakeApiserver({
    port,
    ca: pki.caPem,
    webhooks: [hook('mutating', ['workflowexecutions']), hook('validating', ['workflowexecutions', 'workflowexecutions/status'])],
    now: () => new Date('2026-11-25T10:00:00Z'),
  })
  t.teardown(() => api.close())
  return api
}

const patchLabel = (r: AdmissionRequest): AdmissionResponse => ({
  uid: r.uid,
  allowed: true,
  patchType: 'JSONPatch',
  patch: Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }])).toString('base64'),
})

t.test('mutate, apply the patch, prepare, validate: each call its own uid', async (t) => {
  const api = apiserver()
  answer = (path, r) => (path.startsWith('/mutating') ? patchLabel(r) : { uid: r.uid, allowed: true })
  const out = await api.apply({
    user: OPERATOR,
    write: {
      kind: 'create',
      object: aWorkflowExecution((w) => {
        delete w.metadata.uid
      }),
    },
  })
  t.equal(out.allowed, true)
  t.same(
    seen.map((s) => s.path),
    ['/mutating?timeout=5s', '/validating?timeout=5s'],
  )
  const [m, v] = seen.map((s) => s.request)
  t.not(m!.uid, v!.uid, 'the apiserver mints a uid per webhook call')
  t.notOk('subResource' in m!, 'an empty subResource is omitted')
  t.equal((m!.object as { metadata: { uid?: string } }).metadata.uid, undefined, 'mutating webhooks see the object before the uid is set')
  t.equal(
    (v!.object as { metadata: { labels: Record<string, string>; uid?: string } }).metadata.labels['mutated'],
    'yes',
    'validating webhooks see the patched object',
  )
  t.type((v!.object as { metadata: { uid?: string } }).metadata.uid, 'string')
  t.equal(api.get('kubernaut-system', 'wfe-payment-api-1')?.metadata.labels?.['mutated'], 'yes', 'stored as patched')
})

t.test('a /status write changes status only; a dry run stores nothing', async (t) => {
  const api = apiserver()
  answer = (_p, r) => ({ uid: r.uid, allowed: true })
  await api.apply({ user: OPERATOR, write: { kind: 'create', object: aWorkflowExecution() } })
  const write = {
    kind: 'patch' as const,
    name: 'wfe-payment-api-1',
    namespace: 'kubernaut-system',
    subresource: 'status' as const,
    patch: { status: { phase: 'Pending' }, spec: { targetResource: 'x/y' } },
  }
  const dry = await api.apply({ user: CONTROLLER, write, dryRun: true })
  t.equal(dry.allowed, true)
  t.equal(seen.at(-1)?.request.dryRun, true)
  t.equal(api.get('kubernaut-system', 'wfe-payment-api-1')?.status, undefined, 'dry run not stored')
  await api.apply({ user: CONTROLLER, write })
  const validated = seen.at(-1)!.request
  t.equal(validated.subResource, 'status')
  t.equal(
    (validated.object as { spec: { targetResource: string } }).spec.targetResource,
    'payment/Deployment/payment-api',
    'spec edits in a status write are dropped',
  )
  t.equal(api.get('kubernaut-system', 'wfe-payment-api-1')?.status?.phase, 'Pending')
})

t.test('fail closed: a denial stops the chain, a wrong uid is an error', async (t) => {
  const api = apiserver()
  answer = (_p, r) => ({ uid: r.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no' } })
  const denied = await api.apply({ user: OPERATOR, write: { kind: 'create', object: aWorkflowExecution() } })
  t.same(
    [denied.allowed, denied.reason, denied.deniedBy, denied.message],
    [false, 'Forbidden', 'mutating.test', 'admission webhook "mutating.test" denied the request: no'],
  )
  t.equal(seen.length, 1, 'the validating webhook is not called after a mutating denial')
  answer = () => ({ uid: 'someone-else', allowed: true })
  const errored = await api.apply({ user: OPERATOR, write: { kind: 'create', object: aWorkflowExecution() } })
  t.equal(errored.allowed, false)
  t.equal(errored.reason, 'InternalError')
  t.match(errored.message, /^Internal error occurred: failed calling webhook "mutating\.test": expected response\.uid=/)
  t.equal(api.get('kubernaut-system', 'wfe-payment-api-1'), undefined, 'nothing stored')
})
