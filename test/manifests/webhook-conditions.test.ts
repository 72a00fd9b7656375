// The matchConditions of the main-resource mutating webhook and of the validating webhook (the
// /status one is in webhooks.test.ts), evaluated with a CEL engine on generated requests and
// checked against the policy itself: whenever a condition skips the call, the webhook would have
// answered allowed, with no patch, no warning, no audit annotation and no effect.
import t from 'tap'
import fc from 'fast-check'
import { Environment } from '@marcbachmann/cel-js'
import { admit } from '../../src/admission/admit.js'
import type { AdmissionRequest, WebhookKind } from '../../src/admission/types.js'
import { ANNOTATION_CLEAR, ANNOTATION_CLEAR_AT, ANNOTATION_CLEAR_BY } from '../../src/api/workflowexecution.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { aFailedExecution, aRequest, aWorkflowExecution, CONTROLLER, OPERATOR, testPolicy } from '../helpers/objects.js'
import { kustomize, one } from './kustomize.js'

const objects = await kustomize('manifests')
type Hook = { name: string; rules: { resources: string[] }[]; matchConditions?: { name: string; expression: string }[] }
const mutating = one(objects, 'MutatingWebhookConfiguration', 'wfe-admission.kubernaut.ai').webhooks as Hook[]
const validating = one(objects, 'ValidatingWebhookConfiguration', 'wfe-admission.kubernaut.ai').webhooks as Hook[]
const mainHook = mutating.find((h) => h.rules.some((r) => r.resources.includes('workflowexecutions')))!
const validateHook = validating[0]!

const env = new Environment().registerVariable('object', 'dyn').registerVariable('oldObject', 'dyn').registerVariable('request', 'dyn')
const policy = testPolicy()
const REASON = 'node drained and the target verified by hand'

function sent(hook: Hook, request: AdmissionRequest): boolean {
  const vars = { object: request.object ?? null, oldObject: request.oldObject ?? null, request }
  return (hook.matchConditions ?? []).every((c) => env.evaluate(c.expression, vars) === true)
}

/** Throws unless the webhook's answer is a plain allow: what skipping the call amounts to. */
function assertNoOp(request: AdmissionRequest, webhook: WebhookKind): void {
  const r = admit(request, policy, webhook)
  const quiet =
    r.response.allowed === true &&
    r.response.patch === undefined &&
    (r.response.warnings ?? []).length === 0 &&
    r.response.auditAnnotations === undefined &&
    r.effects.length === 0
  if (!quiet)
    throw new Error(`skipped a ${webhook} call that would answer ${JSON.stringify(r.response)} with ${r.effects.length} effect(s)`)
}

/** Over `runs` generated requests: each one the hook's conditions skip is a no-op for `webhook`. */
function skipsOnlyNoOps(hook: Hook, webhook: WebhookKind, requests: fc.Arbitrary<AdmissionRequest>, runs: number) {
  let skipped = 0
  let sentCount = 0
  fc.assert(
    fc.property(requests, (request) => {
      if (sent(hook, request)) {
        sentCount++
        return
      }
      skipped++
      assertNoOp(request, webhook)
    }),
    { seed: 20261203, numRuns: runs },
  )
  return { skipped, sent: sentCount, said: `${skipped} skipped, ${sentCount} sent, of ${runs} generated` }
}

t.test('both conditions type-check as a bool', async (t) => {
  for (const hook of [mainHook, validateHook])
    for (const c of hook.matchConditions ?? []) t.same(env.check(c.expression), { valid: true, type: 'bool' }, c.name)
})

// Annotation values drawn from the shapes that matter: absent, the clear request, attribution.
const annotationSet = fc.record(
  {
    [ANNOTATION_CLEAR]: fc.constantFrom(REASON, 'other reason entirely here', ''),
    [ANNOTATION_CLEAR_BY]: fc.constantFrom(OPERATOR.username, ''),
    [ANNOTATION_CLEAR_AT]: fc.constantFrom('2026-11-25T10:00:00Z'),
    team: fc.constantFrom('sre', 'payments'),
  },
  { requiredKeys: [] },
)
/** Mostly no clear annotation (the common write), sometimes one. */
const someAnnotations = fc.oneof(fc.constant(undefined), fc.constant({ team: 'sre' }), fc.constant({ team: 'sre' }), annotationSet)
const phase = fc.constantFrom('Failed', 'Running', 'Completed', undefined)
const clearance = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.record(
    {
      clearedBy: fc.constantFrom('', OPERATOR.username),
      clearReason: fc.constant(REASON),
      clearMethod: fc.constantFrom('StatusField', 'Annotation'),
    },
    { requiredKeys: [] },
  ),
)

function execution(p: {
  phase: string | undefined
  failure: boolean | undefined
  clearance: unknown
  annotations: Record<string, string> | undefined
  terminating: boolean
  finalizers: readonly string[]
}): WorkflowExecution {
  return aFailedExecution((w) => {
    const status = w.status as Record<string, unknown>
    if (p.phase === undefined) delete status['phase']
    else status['phase'] = p.phase
    const fd = status['failureDetails'] as Record<string, unknown>
    if (p.failure === undefined) delete fd['wasExecutionFailure']
    else fd['wasExecutionFailure'] = p.failure
    if (p.clearance !== undefined) status['blockClearance'] = structuredClone(p.clearance)
    if (p.annotations !== undefined) w.metadata.annotations = { ...p.annotations }
    if (p.terminating) (w.metadata as Record<string, unknown>)['deletionTimestamp'] = '2026-11-25T10:10:00Z'
    if (p.finalizers.length > 0) w.metadata.finalizers = [...p.finalizers]
  })
}
const stored = fc.record({
  phase,
  failure: fc.constantFrom(true, false, undefined),
  clearance,
  annotations: someAnnotations,
  terminating: fc.boolean(),
  finalizers: fc.constantFrom([], ['kubernaut.ai/cleanup']),
})

t.test('main-resource mutating webhook: a skipped UPDATE would have changed nothing', async (t) => {
  const annotations = fc.oneof(fc.constant('same' as const), fc.constant('same' as const), someAnnotations)
  const requests = fc
    .tuple(stored, annotations, fc.boolean(), fc.constantFrom(OPERATOR, CONTROLLER))
    .map(([old, next, dropFinalizers, user]) => {
      const oldObject = execution(old)
      const object = structuredClone(oldObject)
      if (next === undefined) delete object.metadata.annotations
      else if (next !== 'same') object.metadata.annotations = { ...next }
      if (dropFinalizers) delete object.metadata.finalizers
      object.metadata.labels = { ...object.metadata.labels, touched: 'yes' }
      return aRequest({ operation: 'UPDATE', object, oldObject, userInfo: user })
    })
  const r = skipsOnlyNoOps(mainHook, 'mutate', requests, 600)
  t.ok(r.skipped > 100 && r.sent > 100, `${r.said} UPDATEs`)
})

// Timeouts as clients write them: Go's own form and others that parse (rewritten on CREATE), and some that do not.
const hms = fc.tuple(fc.nat(30), fc.nat(75), fc.nat(75), fc.boolean(), fc.boolean()).map(([h, m, sec, pad, frac]) => {
  const p = (n: number): string => (pad && n < 10 ? `0${n}` : String(n))
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${p(m)}m` : ''}${p(sec)}${frac ? '.5' : ''}s`
})
const timeout = fc.oneof(
  fc.constantFrom('30m0s', '1h0m0s', '59m59s', '2h30m15s'),
  fc.constantFrom('30m0s', '1h0m0s', '1m30s', '90s', '30m', '1h', '45s', '1.5s', '500ms', '0s', '1h60m0s', '-5m0s', 'soon', ''),
  hms,
)

t.test('main-resource mutating webhook: a skipped CREATE would have changed nothing', async (t) => {
  const config = fc.oneof(
    { arbitrary: fc.record({ timeout: fc.oneof(timeout, fc.constant(null)) }, { requiredKeys: [] }), weight: 6 },
    { arbitrary: fc.constantFrom(undefined, null), weight: 1 },
  )
  const requests = fc.tuple(config, someAnnotations).map(([executionConfig, annotations]) => {
    const object = aWorkflowExecution((w) => {
      if (executionConfig === undefined) delete w.spec.executionConfig
      else (w.spec as unknown as Record<string, unknown>)['executionConfig'] = executionConfig
      if (annotations !== undefined) w.metadata.annotations = { ...annotations }
    })
    return aRequest({ operation: 'CREATE', object, userInfo: OPERATOR })
  })
  const r = skipsOnlyNoOps(mainHook, 'mutate', requests, 800)
  t.ok(r.skipped > 80 && r.sent > 100, `${r.said} CREATEs`)
})

t.test('main-resource mutating webhook: what is sent and what is not', async (t) => {
  const withTimeout = (timeout: string): AdmissionRequest =>
    aRequest({ operation: 'CREATE', object: aWorkflowExecution((w) => (w.spec.executionConfig = { timeout })) })
  t.equal(
    sent(mainHook, aRequest({ operation: 'CREATE', object: aWorkflowExecution((w) => delete w.spec.executionConfig) })),
    true,
    'CREATE, no timeout',
  )
  t.equal(sent(mainHook, withTimeout('30m')), true, 'CREATE, a timeout to rewrite')
  t.equal(sent(mainHook, withTimeout('30m0s')), false, "CREATE, a timeout in Go's form")
  const oldObject = aWorkflowExecution((w) => (w.metadata.annotations = { team: 'sre' }))
  const labelled = structuredClone(oldObject)
  labelled.metadata.labels = { team: 'sre' }
  t.equal(sent(mainHook, aRequest({ operation: 'UPDATE', object: labelled, oldObject })), false, 'a label added')
  const finalized = structuredClone(oldObject)
  finalized.metadata.finalizers = ['kubernaut.ai/cleanup']
  t.equal(sent(mainHook, aRequest({ operation: 'UPDATE', object: finalized, oldObject })), false, 'a finalizer added')
  const added = structuredClone(oldObject)
  added.metadata.annotations = { [ANNOTATION_CLEAR]: REASON }
  t.equal(sent(mainHook, aRequest({ operation: 'UPDATE', object: added, oldObject })), true, 'the clear annotation added')
  t.equal(sent(mainHook, aRequest({ operation: 'UPDATE', object: oldObject, oldObject: added })), true, 'the clear annotation removed')
  const terminating = structuredClone(oldObject)
  ;(terminating.metadata as Record<string, unknown>)['deletionTimestamp'] = '2026-11-25T10:10:00Z'
  t.equal(sent(mainHook, aRequest({ operation: 'UPDATE', object: terminating, oldObject: terminating })), true, 'a terminating execution')
})

t.test('validating webhook: a skipped DELETE would have been allowed with no effect', async (t) => {
  const deleter = fc.constantFrom(OPERATOR, CONTROLLER, { username: 'system:serviceaccount:kube-system:generic-garbage-collector' })
  const requests = fc.tuple(stored, deleter).map(([old, user]) => {
    const request = aRequest({ operation: 'DELETE', oldObject: execution(old), userInfo: user })
    delete (request as { object?: unknown }).object
    return request
  })
  const r = skipsOnlyNoOps(validateHook, 'validate', requests, 600)
  t.ok(r.skipped > 100 && r.sent > 20, `${r.said} DELETEs`)
})

t.test('validating webhook: a DELETE of a blocked execution is sent, every other operation always', async (t) => {
  const blocked = aFailedExecution()
  t.equal(sent(validateHook, aRequest({ operation: 'DELETE', oldObject: blocked })), true, 'block in force')
  const cleared = aFailedExecution((w) => {
    ;(w.status as Record<string, unknown>)['blockClearance'] = {
      clearedBy: OPERATOR.username,
      clearReason: REASON,
      clearMethod: 'StatusField',
    }
  })
  t.equal(sent(validateHook, aRequest({ operation: 'DELETE', oldObject: cleared })), false, 'cleared')
  t.equal(sent(validateHook, aRequest({ operation: 'DELETE', oldObject: aWorkflowExecution() })), false, 'never failed')
  t.equal(sent(validateHook, aRequest({ operation: 'CREATE', object: aWorkflowExecution() })), true, 'CREATE')
  const update = aRequest({ operation: 'UPDATE', object: aWorkflowExecution(), oldObject: aWorkflowExecution() })
  t.equal(sent(validateHook, update), true, 'UPDATE')
  t.equal(sent(validateHook, { ...update, subResource: 'status' }), true, 'UPDATE /status')
})

t.test('the conditions do not error on sparse objects', async (t) => {
  for (const hook of [mainHook, validateHook])
    for (const operation of ['CREATE', 'UPDATE', 'DELETE'])
      for (const vars of [
        { object: { metadata: {} }, oldObject: { metadata: {} }, request: { operation } },
        {
          object: null,
          oldObject: { metadata: {}, status: { blockClearance: null, failureDetails: {}, phase: 'Failed' } },
          request: { operation },
        },
        { object: { metadata: { annotations: {} } }, oldObject: null, request: { operation } },
      ])
        for (const c of hook.matchConditions ?? []) t.doesNotThrow(() => env.evaluate(c.expression, vars), `${c.name} ${operation}`)
})
