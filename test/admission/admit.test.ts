import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import { applyTo } from '../helpers/patch.js'
import { aFailedExecution, aRequest, aWorkflowExecution, OPERATOR, testPolicy, TEST_OPTIONS } from '../helpers/objects.js'
import { compilePolicy } from '../../src/policy.js'
import { defineRule } from '../../src/admission/rule-contract.js'
import { patchOf, ruleIds, message } from '../helpers/verdict.js'

const policy = testPolicy()

t.test('CREATE without a timeout: mutate defaults it with a warning and a minimal patch that applies', async (t) => {
  const object = aWorkflowExecution()
  const req = aRequest({ object })
  const res = admit(req, policy, 'mutate')
  t.equal(res.response.uid, req.uid)
  t.equal(res.response.allowed, true)
  t.equal(res.response.patchType, 'JSONPatch')
  t.same(patchOf(res), [{ op: 'add', path: '/spec/executionConfig', value: { timeout: '30m0s' } }])
  t.match(res.response.warnings, [/spec\.executionConfig\.timeout: defaulted to "30m0s"/])
  const after = applyTo(object, patchOf(res))
  t.equal(after.spec.executionConfig?.timeout, '30m0s')
})

t.test('CREATE with an executionConfig but no timeout adds only the timeout', async (t) => {
  const object = aWorkflowExecution((w) => {
    w.spec.executionConfig = {}
  })
  const res = admit(aRequest({ object }), testPolicy({ defaultTimeout: '1h30m' }), 'mutate')
  t.same(patchOf(res), [{ op: 'add', path: '/spec/executionConfig/timeout', value: '1h30m0s' }])
})

t.test('CREATE with a timeout: no patch, no patchType', async (t) => {
  const object = aWorkflowExecution((w) => {
    w.spec.executionConfig = { timeout: '10m0s' }
  })
  const res = admit(aRequest({ object }), policy, 'mutate')
  t.equal(res.response.allowed, true)
  t.equal(res.response.patch, undefined)
  t.equal(res.response.patchType, undefined)
})

t.test('CREATE rewrites a timeout in the form Go writes it, with a warning and a replace', async (t) => {
  // metav1.Duration marshals as time.Duration.String(): a Go client's Update() sends this form back.
  for (const [given, canonical] of [
    ['15m', '15m0s'],
    ['90s', '1m30s'],
    ['1h30m', '1h30m0s'],
    ['1.5h', '1h30m0s'],
    ['+5m', '5m0s'],
    ['1000ms', '1s'],
  ] as const) {
    const object = aWorkflowExecution((w) => {
      w.spec.executionConfig = { timeout: given }
    })
    const res = admit(aRequest({ object }), policy, 'both')
    t.equal(res.response.allowed, true, given)
    t.same(patchOf(res), [{ op: 'replace', path: '/spec/executionConfig/timeout', value: canonical }], `${given} → ${canonical}`)
    t.same(res.response.warnings, [
      `spec.executionConfig.timeout: rewritten from "${given}" to "${canonical}", the form Go clients write back (metav1.Duration)`,
    ])
    t.equal(applyTo(object, patchOf(res)).spec.executionConfig?.timeout, canonical)
  }
  for (const bad of ['0.5ns', '10', '-5m', '9223372036854775808ns']) {
    const object = aWorkflowExecution((w) => {
      w.spec.executionConfig = { timeout: bad }
    })
    t.equal(admit(aRequest({ object }), policy, 'mutate').response.patch, undefined, `${bad}: not rewritten, validation's to deny`)
    t.equal(admit(aRequest({ object }), policy, 'both').response.allowed, false, `${bad}: denied`)
  }
})

t.test('a hand-built policy with a non-canonical default still stores the Go form', async (t) => {
  const res = admit(aRequest({ object: aWorkflowExecution() }), testPolicy({ defaultTimeout: '45m' }), 'mutate')
  t.same(patchOf(res), [{ op: 'add', path: '/spec/executionConfig', value: { timeout: '45m0s' } }])
})

t.test('UPDATE never defaults the timeout', async (t) => {
  const old = aWorkflowExecution()
  const object = aWorkflowExecution((w) => {
    w.metadata.labels = { a: 'b' }
  })
  const res = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), policy, 'mutate')
  t.equal(res.response.patch, undefined)
})

t.test('validate never carries a patch, even on CREATE without timeout', async (t) => {
  const res = admit(aRequest({ object: aWorkflowExecution() }), policy, 'validate')
  t.equal(res.response.allowed, true)
  t.equal(res.response.patch, undefined)
  t.equal(res.response.patchType, undefined)
})

t.test('spec change on UPDATE is denied naming the changed field; key order is irrelevant', async (t) => {
  const old = aWorkflowExecution()
  const changed = aWorkflowExecution((w) => {
    w.spec.targetResource = 'payment/Deployment/other'
  })
  const res = admit(aRequest({ operation: 'UPDATE', object: changed, oldObject: old }), policy, 'validate')
  t.equal(res.response.allowed, false)
  t.equal(res.response.status?.code, 403)
  t.equal(res.response.status?.reason, 'Forbidden')
  t.match(message(res), /^spec: Forbidden: spec is immutable after creation \(ADR-001\); changed: spec\.targetResource/)
  t.same(ruleIds(res, 'deny'), ['spec-immutable'])
  t.same(res.response.status?.details?.causes?.[0]?.field, 'spec')

  const reordered = aWorkflowExecution()
  const spec = reordered.spec as unknown as Record<string, unknown>
  const shuffled = Object.fromEntries(Object.entries(spec).reverse())
  reordered.spec = shuffled as unknown as typeof reordered.spec
  const ok = admit(aRequest({ operation: 'UPDATE', object: reordered, oldObject: old }), policy, 'validate')
  t.equal(ok.response.allowed, true)
})

t.test('metadata-only updates (labels, annotations, finalizers, deletion) are allowed', async (t) => {
  const old = aWorkflowExecution()
  const object = aWorkflowExecution((w) => {
    w.metadata.labels = { x: 'y' }
    w.metadata.annotations = { note: 'n' }
    w.metadata.finalizers = ['kubernaut.ai/cleanup']
    w.metadata.deletionTimestamp = '2026-11-25T10:00:00Z'
  })
  const res = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), policy, 'validate')
  t.equal(res.response.allowed, true)
})

t.test('a changed parameter value is named with its key', async (t) => {
  const old = aWorkflowExecution()
  const object = aWorkflowExecution((w) => {
    w.spec.parameters = { ...w.spec.parameters, NAMESPACE: 'other' }
  })
  const res = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), policy, 'validate')
  t.match(message(res), /changed: spec\.parameters\[NAMESPACE\]/)
})

t.test('DELETE and CONNECT are allowed without looking at objects', async (t) => {
  for (const operation of ['DELETE', 'CONNECT'] as const) {
    const res = admit(aRequest({ operation, oldObject: aWorkflowExecution() }), policy, 'validate')
    t.equal(res.response.allowed, true, operation)
  }
})

t.test('a review for another resource or kind is a 400 inside the AdmissionReview', async (t) => {
  const req = aRequest({ object: aWorkflowExecution() })
  req.resource = { group: 'apps', version: 'v1', resource: 'deployments' }
  const res = admit(req, policy, 'validate')
  t.equal(res.response.allowed, false)
  t.equal(res.response.status?.code, 400)
  t.match(message(res), /workflowexecutions\.kubernaut\.ai only, got deployments\.apps/)

  for (const object of ['a string', [1, 2], null, { apiVersion: 'apps/v1', kind: 'Deployment' }]) {
    const r = admit(aRequest({ object }), policy, 'validate')
    t.equal(r.response.status?.code, 400, JSON.stringify(object))
    t.match(message(r), /request\.object: must be a kubernaut\.ai\/v1alpha1 WorkflowExecution/)
  }
})

t.test('an unknown subresource is refused, not skipped', async (t) => {
  const res = admit(
    aRequest({ operation: 'UPDATE', object: aWorkflowExecution(), oldObject: aWorkflowExecution(), subResource: 'scale' }),
    policy,
    'validate',
  )
  t.equal(res.response.status?.code, 400)
})

t.test('a throwing rule becomes errored(500) with the uid', async (t) => {
  const { compilePolicy } = await import('../../src/policy.js')
  const { defineRule } = await import('../../src/admission/rule-contract.js')
  const boom = defineRule({
    id: 'boom',
    description: 'throws',
    kind: 'validate',
    severity: 'deny',
    operations: ['CREATE'],
    subresources: [''],
    field: 'spec',
    check: () => {
      throw new Error('kaboom')
    },
  })
  const p = compilePolicy(policy.options, [], [boom])
  const req = aRequest({ object: aWorkflowExecution() })
  const res = admit(req, p, 'validate')
  t.equal(res.response.uid, req.uid)
  t.equal(res.response.allowed, false)
  t.equal(res.response.status?.code, 500)
  t.match(message(res), /kaboom/)
})

t.test('both: mutate then validate on the mutated object, combined warnings', async (t) => {
  const res = admit(aRequest({ object: aWorkflowExecution() }), policy, 'both')
  t.equal(res.response.allowed, true)
  t.equal(res.mutated?.spec.executionConfig?.timeout, '30m0s')
  t.equal(patchOf(res).length, 1)
})

t.test('a mutator whose applies() is false is skipped: no copy, no call, no patch', async (t) => {
  let called = 0
  const rule = defineRule({
    id: 'test-never-applies',
    description: 'test',
    kind: 'mutate',
    operations: ['UPDATE'],
    subresources: [''],
    field: 'metadata.labels',
    applies: () => false,
    mutate: (_ctx, draft) => {
      called++
      draft.metadata.labels = { changed: 'yes' }
      return {}
    },
  })
  const p = compilePolicy(TEST_OPTIONS, [rule])
  const old = aWorkflowExecution()
  const res = admit(aRequest({ operation: 'UPDATE', object: aWorkflowExecution(), oldObject: old }), p, 'mutate')
  t.equal(called, 0)
  t.equal(res.response.patch, undefined)
  const applies = compilePolicy(TEST_OPTIONS, [{ ...rule, applies: () => true }])
  const mutated = admit(aRequest({ operation: 'UPDATE', object: aWorkflowExecution(), oldObject: old }), applies, 'mutate')
  t.same(applyTo(aWorkflowExecution(), patchOf(mutated)).metadata.labels, { changed: 'yes' })
  t.equal(called, 1)
})

t.test('an object nested 100,000 levels deep: no internal error; only what a mutation writes is copied', async (t) => {
  const object = aWorkflowExecution() as unknown as { spec: Record<string, unknown> }
  object.spec['deep'] = JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000))
  const req = aRequest({ object, uid: 'u-deep' })
  const res = admit(req, policy, 'mutate')
  t.equal(res.response.allowed, true, 'an unknown deep field (the apiserver prunes it) is not copied, so defaulting works')
  t.same(patchOf(res), [{ op: 'add', path: '/spec/executionConfig', value: { timeout: '30m0s' } }])
  t.equal(admit(req, policy, 'validate').response.allowed, true, 'validate does not recurse into unknown fields')

  const failed = aFailedExecution()
  const cleared = aFailedExecution((w) => {
    w.status!.blockClearance = {
      clearReason: 'checked every node and the cluster state is healthy',
      deep: JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)),
    } as never
  })
  const status = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', object: cleared, oldObject: failed, userInfo: OPERATOR, uid: 'u-deep2' }),
    policy,
    'mutate',
  )
  t.same(
    status.response,
    {
      uid: 'u-deep2',
      allowed: false,
      status: { code: 400, reason: 'BadRequest', message: 'request.object: nested too deeply to process' },
    },
    "a deep value where a mutation writes is the sender's fault: 400",
  )
})

t.test('mutate records an attribution only for a write the validating webhook will admit', async (t) => {
  const reason = 'root cause fixed and the cluster state verified by hand'
  const failed = aFailedExecution()
  const cleared = aFailedExecution((w) => {
    w.status!.blockClearance = { clearReason: reason } as never
  })
  const ok = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', object: cleared, oldObject: failed, userInfo: OPERATOR }),
    policy,
    'mutate',
  )
  t.equal(ok.effects.length, 1, 'a valid clearance: one audit effect')

  const running = aFailedExecution((w) => {
    w.status!.phase = 'Running'
  })
  const early = aFailedExecution((w) => {
    w.status!.phase = 'Running'
    w.status!.blockClearance = { clearReason: reason } as never
  })
  const refused = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', object: early, oldObject: running, userInfo: OPERATOR }),
    policy,
    'mutate',
  )
  t.equal(refused.response.allowed, true, 'the mutating webhook still answers (the validating one denies)')
  t.same(refused.effects, [], 'but records nothing: the write will be refused')

  const old = aFailedExecution()
  const annotatedAndChanged = aFailedExecution((w) => {
    w.metadata.annotations = { 'kubernaut.ai/clear-execution-block': reason }
    w.spec.targetResource = 'payment/Deployment/other'
  })
  const riding = admit(aRequest({ operation: 'UPDATE', object: annotatedAndChanged, oldObject: old, userInfo: OPERATOR }), policy, 'mutate')
  t.same(riding.effects, [], 'an annotation riding on a spec change records nothing')
})

t.test('mutatedBy names the mutation rules that produced the patch', async (t) => {
  t.same(admit(aRequest({ object: aWorkflowExecution() }), policy, 'mutate').mutatedBy, ['execution-timeout-default'])
  const withTimeout = aWorkflowExecution((w) => {
    w.spec.executionConfig = { timeout: '10m0s' }
  })
  t.equal(admit(aRequest({ object: withTimeout }), policy, 'mutate').mutatedBy, undefined, 'no patch, no ids')
})
