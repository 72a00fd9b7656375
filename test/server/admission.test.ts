import t from 'tap'
import { applyTo, decodePatch } from '../helpers/patch.js'
import { APISERVER_MAX_REQUEST_BYTES, ETCD_MAX_OBJECT_BYTES, MAX_REVIEW_BYTES } from '../../src/admission/review.js'
import { MUTATE_PATH, VALIDATE_PATH } from '../../src/server/admission.js'
import { aRequest, aReview, aWorkflowExecution } from '../helpers/objects.js'
import { clearanceRequest, fixture, json } from '../helpers/server-app.js'

const create = () => aRequest({ object: aWorkflowExecution(), uid: 'uid-create-1' })

t.test('validate: uid, apiVersion and kind echoed; HTTP 200; no patch even where mutate would patch', async (t) => {
  const { app } = fixture()
  const res = await app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(create())) })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json()
  t.equal(body.apiVersion, 'admission.k8s.io/v1')
  t.equal(body.kind, 'AdmissionReview')
  t.equal(body.response.uid, 'uid-create-1')
  t.equal(body.response.allowed, true)
  t.notOk('patch' in body.response)
  t.notOk('patchType' in body.response)
  t.notOk('request' in body, 'the request is not echoed back')
})

t.test('v1beta1 in, v1beta1 out', async (t) => {
  const { app } = fixture()
  for (const url of [VALIDATE_PATH, MUTATE_PATH]) {
    const res = await app.inject({ method: 'POST', url, ...json(aReview(create(), 'admission.k8s.io/v1beta1')) })
    t.equal(res.statusCode, 200)
    t.equal(res.json().apiVersion, 'admission.k8s.io/v1beta1', url)
  }
})

t.test('mutate: patch and patchType together, and the patch applies to the sent object', async (t) => {
  const { app } = fixture()
  const object = aWorkflowExecution()
  const res = await app.inject({ method: 'POST', url: MUTATE_PATH, ...json(aReview(aRequest({ object }))) })
  const r = res.json().response
  t.equal(r.allowed, true)
  t.equal(r.patchType, 'JSONPatch')
  const after = applyTo(object, decodePatch(r.patch))
  t.equal(after.spec.executionConfig?.timeout, '30m0s')

  const withTimeout = aWorkflowExecution((w) => {
    w.spec.executionConfig = { timeout: '10m0s' }
  })
  const none = (await app.inject({ method: 'POST', url: MUTATE_PATH, ...json(aReview(aRequest({ object: withTimeout }))) })).json().response
  t.equal(none.allowed, true)
  t.notOk('patch' in none, 'nothing to change: no patch')
  t.notOk('patchType' in none, 'and no patchType without a patch')
})

t.test('a denial is HTTP 200 with allowed false and a 403 status inside the review', async (t) => {
  const { app, log } = fixture()
  const oldObject = aWorkflowExecution()
  const object = aWorkflowExecution((w) => {
    w.spec.targetResource = 'payment/Deployment/other'
  })
  const req = aRequest({ operation: 'UPDATE', object, oldObject, uid: 'uid-deny' })
  const res = await app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(req)) })
  t.equal(res.statusCode, 200)
  const r = res.json().response
  t.equal(r.allowed, false)
  t.equal(r.status.code, 403)
  t.match(r.status.message, /spec is immutable after creation/)
  const lines = log.lines.filter((l) => l['msg'] === 'admission denied')
  t.equal(lines.length, 1, 'one info line per denial')
  t.match(lines[0], {
    level: 30,
    uid: 'uid-deny',
    operation: 'UPDATE',
    subresource: '',
    namespace: 'kubernaut-system',
    name: 'wfe-payment-api-1',
    webhook: 'validate',
    verdict: 'denied',
    code: 403,
  })
  t.ok((lines[0]?.['rules'] as string[]).length > 0, 'rule ids listed')
  t.type(lines[0]?.['durationMs'], 'number')
})

t.test('logging: mutations at info, allowed-unchanged only at debug, never bodies or userInfo.extra', async (t) => {
  const info = fixture('info')
  const req = clearanceRequest()
  await info.app.inject({ method: 'POST', url: MUTATE_PATH, ...json(aReview(req)) })
  await info.app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(create())) })
  t.equal(info.log.lines.length, 1, 'the allowed-unchanged review is not logged at info')
  t.match(info.log.lines[0], {
    msg: 'admission mutated',
    uid: req.uid,
    subresource: 'status',
    user: 'alice@kubernaut.ai',
    verdict: 'mutated',
    rules: ['block-clearance-attribution'],
  })
  const text = JSON.stringify(info.log.lines)
  t.notMatch(text, /do-not-log|secret-extra/, 'userInfo.extra is never logged')
  t.notMatch(text, /clearReason|node pressure resolved|"spec"|"status":\{/, 'object bodies are never logged')

  const debug = fixture('debug')
  await debug.app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(create())) })
  t.match(debug.log.lines, [{ level: 20, msg: 'admission allowed', uid: 'uid-create-1', verdict: 'allowed' }])
})

t.test('effects run after the answer, with the request; the runner gets dryRun requests (it skips them)', async (t) => {
  const { app, effects } = fixture()
  await app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(create())) })
  t.equal(effects.calls.length, 0, 'no effects, no call')
  const req = clearanceRequest()
  const res = await app.inject({ method: 'POST', url: MUTATE_PATH, ...json(aReview(req)) })
  t.equal(res.json().response.allowed, true)
  t.equal(effects.calls.length, 1)
  t.equal(effects.calls[0]?.request.uid, req.uid)
  t.match(effects.calls[0]?.effects, [
    { type: 'workflowexecution.block.cleared', actor: { username: 'alice@kubernaut.ai' }, admissionUid: req.uid },
  ])
  const dry = clearanceRequest(true)
  await app.inject({ method: 'POST', url: MUTATE_PATH, ...json(aReview(dry)) })
  t.equal(effects.calls[1]?.request.dryRun, true)
})

t.test('a throwing effect runner does not change the answer', async (t) => {
  const f = fixture()
  const { buildApp } = await import('../../src/server/app.js')
  const app = buildApp({
    policy: (await import('../helpers/objects.js')).testPolicy(),
    logger: f.log.logger,
    metrics: f.metrics,
    runEffects: () => {
      throw new Error('boom')
    },
  })
  const res = await app.inject({ method: 'POST', url: MUTATE_PATH, ...json(aReview(clearanceRequest())) })
  t.equal(res.statusCode, 200)
  t.equal(res.json().response.allowed, true)
  t.match(f.log.lines, [{ level: 30 }, { level: 50, msg: 'effect runner threw' }])
})

t.test('not an AdmissionReview: HTTP 400 with a JSON error body, uid echoed when readable', async (t) => {
  const { app } = fixture()
  const cases: [string, string, RegExp, string | undefined][] = [
    ['malformed JSON', '{"apiVersion": "admission.k8s.io/v1", ', /not valid JSON/, undefined],
    ['empty JSON body', '', /not valid JSON/, undefined],
    ['JSON that is not an object', '[1,2,3]', /must be a JSON object/, undefined],
    ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), /request is missing/, undefined],
    [
      'no uid',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } }),
      /request\.uid/,
      undefined,
    ],
    [
      'wrong kind, uid readable',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'Pod', request: { uid: 'u-9' } }),
      /kind must be "AdmissionReview"/,
      'u-9',
    ],
    [
      'wrong apiVersion',
      JSON.stringify({ apiVersion: 'v1', kind: 'AdmissionReview', request: { uid: 'u-8' } }),
      /apiVersion must be/,
      'u-8',
    ],
  ]
  for (const [name, payload, message, uid] of cases) {
    const res = await app.inject({ method: 'POST', url: VALIDATE_PATH, payload, headers: { 'content-type': 'application/json' } })
    t.equal(res.statusCode, 400, name)
    t.match(res.headers['content-type'], /^application\/json/, name)
    const body = res.json()
    t.match(body.error, /^(InvalidJSON|NotAnAdmissionReview)$/, name)
    t.match(body.message, message, name)
    t.equal(body.uid, uid, `${name}: uid`)
  }
  const none = await app.inject({ method: 'POST', url: VALIDATE_PATH })
  t.equal(none.statusCode, 400, 'no body and no content type')
  t.equal(none.json().error, 'NotAnAdmissionReview')
})

t.test('an AdmissionReview whose object is not a WorkflowExecution: HTTP 200, allowed false, code 400', async (t) => {
  const { app } = fixture()
  const req = aRequest({ object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, uid: 'u-pod' })
  const res = await app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(req)) })
  t.equal(res.statusCode, 200)
  t.match(res.json().response, { uid: 'u-pod', allowed: false, status: { code: 400 } })
})

t.test('deeply nested JSON never crashes the server', async (t) => {
  const { app } = fixture()
  const deep = '['.repeat(100_000) + ']'.repeat(100_000)
  const top = await app.inject({ method: 'POST', url: VALIDATE_PATH, payload: deep, headers: { 'content-type': 'application/json' } })
  t.equal(top.statusCode, 400)
  const inObject = JSON.stringify(aReview(aRequest({ object: aWorkflowExecution(), uid: 'u-deep' }))).replace(
    '"rationale":',
    `"deep":${deep},"rationale":`,
  )
  const res = await app.inject({ method: 'POST', url: VALIDATE_PATH, payload: inObject, headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().response.uid, 'u-deep')
  const after = await app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(create())) })
  t.equal(after.json().response.allowed, true, 'still serving')
})

t.test('content type: JSON only (charset allowed), 415 otherwise', async (t) => {
  const { app } = fixture()
  const payload = JSON.stringify(aReview(create()))
  const ok = await app.inject({
    method: 'POST',
    url: VALIDATE_PATH,
    payload,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  })
  t.equal(ok.statusCode, 200)
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/yaml']) {
    const res = await app.inject({ method: 'POST', url: VALIDATE_PATH, payload, headers: { 'content-type': ct } })
    t.equal(res.statusCode, 415, ct)
    t.same(res.json(), { error: 'UnsupportedMediaType', message: `Content-Type must be application/json, got "${ct}"` })
  }
})

t.test('a body over the limit: 413 with a JSON body and Connection: close', async (t) => {
  const { app } = fixture()
  const res = await app.inject({
    method: 'POST',
    url: VALIDATE_PATH,
    payload: 'x'.repeat(MAX_REVIEW_BYTES + 1),
    headers: { 'content-type': 'application/json' },
  })
  t.equal(res.statusCode, 413)
  t.equal(res.json().error, 'PayloadTooLarge')
  t.equal(res.headers['connection'], 'close')
  const within = JSON.stringify(
    aReview(
      aRequest({
        object: aWorkflowExecution((w) => {
          w.spec.rationale = 'r'.repeat(6 * 1024 * 1024)
        }),
      }),
    ),
  )
  const big = await app.inject({ method: 'POST', url: VALIDATE_PATH, payload: within, headers: { 'content-type': 'application/json' } })
  t.equal(big.statusCode, 200, 'a large review within the limit is judged')
})

/** JSON as Go's encoding/json writes it: `<`, `>` and `&` as six-byte escapes (never outside strings). */
const goJson = (v: unknown): string => JSON.stringify(v).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)

t.test('the largest review the apiserver can send, full of `<`, is judged, not refused with 413', async (t) => {
  t.equal(goJson({ a: '<&>' }), '{"a":"\\u003c\\u0026\\u003e"}', 'escapes as Go does')
  const { app } = fixture()
  // object: from a request body just under 3 MiB, nearly all `<`; oldObject: a stored object just under etcd's 1.5 MiB.
  const object = aWorkflowExecution((w) => {
    w.spec.rationale = '<'.repeat(APISERVER_MAX_REQUEST_BYTES - 4096)
  })
  const oldObject = aWorkflowExecution((w) => {
    w.spec.rationale = '<'.repeat(ETCD_MAX_OBJECT_BYTES - 4096)
  })
  t.ok(JSON.stringify(object).length < APISERVER_MAX_REQUEST_BYTES, "object fits the apiserver's request limit as sent")
  const body = goJson(aReview(aRequest({ operation: 'UPDATE', object, oldObject, uid: 'u-lt' })))
  t.ok(
    body.length > 0.95 * MAX_REVIEW_BYTES && body.length <= MAX_REVIEW_BYTES,
    `${(body.length / 1048576).toFixed(2)} MiB of ${MAX_REVIEW_BYTES / 1048576} MiB`,
  )
  const res = await app.inject({ method: 'POST', url: VALIDATE_PATH, payload: body, headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 200)
  // The rationale changed, so spec-immutable denies: a verdict on the content, not on the size.
  t.match(res.json().response, { uid: 'u-lt', allowed: false, status: { code: 403, message: /^spec: Forbidden: spec is immutable/ } })
})

t.test('other methods on the webhook paths: 405 with Allow: POST; unknown path: 404 JSON', async (t) => {
  const { app } = fixture()
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const) {
    const res = await app.inject({ method, url: MUTATE_PATH })
    t.equal(res.statusCode, 405, method)
    t.equal(res.headers['allow'], 'POST', method)
    t.equal(res.json().error, 'MethodNotAllowed', method)
  }
  const missing = await app.inject({ method: 'POST', url: '/validate', ...json(aReview(create())) })
  t.equal(missing.statusCode, 404)
  t.match(missing.json(), { error: 'NotFound', message: /POST \/validate-workflowexecution/ })
  const get = await app.inject({ method: 'GET', url: '/' })
  t.equal(get.statusCode, 404)
})

t.test('once shutdown begins, responses carry Connection: close so clients move to other pods', async (t) => {
  const { app, readiness } = fixture()
  const before = await app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(create())) })
  t.not(before.headers['connection'], 'close')
  readiness.beginShutdown()
  const after = await app.inject({ method: 'POST', url: VALIDATE_PATH, ...json(aReview(create())) })
  t.equal(after.statusCode, 200, 'still answered')
  t.equal(after.headers['connection'], 'close')
})
