import t from 'tap'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { applyTo } from '../helpers/patch.js'
import type { Operation, UserInfo, WebhookKind } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { aFailedExecution, aRequest, CONTROLLER, FIXED_NOW_RFC3339, OPERATOR, testPolicy as fullPolicy } from '../helpers/objects.js'
import { message, patchOf, ruleIds } from '../helpers/verdict.js'
import { ALL, CLEAR, CLEAR_AT, CLEAR_BY, clearancePolicy as testPolicy, policy, REASON } from './clearance-fixtures.js'

// Flow 2 on the main resource (src/rules/clearance-annotations.ts); the last test runs the complete
// built-in policy end to end.
const BY_PATH = '/metadata/annotations/kubernaut.ai~1clear-execution-block-by'
const AT_PATH = '/metadata/annotations/kubernaut.ai~1clear-execution-block-at'
const EARLIER = '2026-11-25T09:30:00Z'

function withAnnotations(annotations: Record<string, string> | undefined): WorkflowExecution {
  return aFailedExecution((w) => {
    if (annotations !== undefined) w.metadata.annotations = annotations
  })
}

interface Write {
  old?: WorkflowExecution
  object: WorkflowExecution
  user?: UserInfo
  operation?: Operation
  dryRun?: boolean
  uid?: string
}

function write(w: Write, webhook: WebhookKind, p = policy): AdmitResult {
  const operation = w.operation ?? 'UPDATE'
  const req = aRequest({
    operation,
    object: w.object,
    oldObject: operation === 'UPDATE' ? (w.old ?? withAnnotations({ note: 'x' })) : undefined,
    userInfo: w.user ?? OPERATOR,
    dryRun: w.dryRun ?? false,
    uid: w.uid ?? 'req-2',
  })
  return admit(req, p, webhook)
}

// Operation order within one patch carries no meaning here; compare sorted by path.
function sortedPatch(res: AdmitResult) {
  return [...patchOf(res)].sort((a, b) => a.path.localeCompare(b.path))
}

function annotationsAfter(w: WorkflowExecution, res: AdmitResult): Record<string, string> | undefined {
  return applyTo(w, patchOf(res)).metadata.annotations
}

t.test('Flow 2: adding the clear annotation writes -by and -at (escaped JSON Patch paths) and one audit intent', async (t) => {
  const object = withAnnotations({ note: 'x', [CLEAR]: REASON })
  const res = write({ object }, 'mutate')
  t.equal(res.response.allowed, true)
  t.same(sortedPatch(res), [
    { op: 'add', path: AT_PATH, value: FIXED_NOW_RFC3339 },
    { op: 'add', path: BY_PATH, value: 'alice@kubernaut.ai' },
  ])
  t.same(annotationsAfter(object, res), { note: 'x', [CLEAR]: REASON, [CLEAR_BY]: 'alice@kubernaut.ai', [CLEAR_AT]: FIXED_NOW_RFC3339 })
  t.same(res.effects, [
    {
      type: 'workflowexecution.block.cleared',
      actor: { username: 'alice@kubernaut.ai', uid: 'u-alice', groups: ['sre', 'system:authenticated'] },
      resource: { namespace: 'kubernaut-system', name: 'wfe-payment-api-1', uid: '6f1c2d3e-0000-4000-8000-000000000001' },
      reason: REASON,
      method: 'Annotation',
      time: FIXED_NOW_RFC3339,
      correlationId: 'rr-payment-api',
      admissionUid: 'req-2',
    },
  ])

  const both = write({ object }, 'both')
  t.equal(both.response.allowed, true, message(both))
  t.same(patchOf(both), patchOf(res))
  const validated = write({ object: applyTo(object, patchOf(res)) }, 'validate')
  t.equal(validated.response.allowed, true, 'the mutated object passes the validating webhook')
  t.same(validated.effects, [])
})

t.test('Flow 2: annotations created from nothing, and on CREATE', async (t) => {
  const object = withAnnotations({ [CLEAR]: REASON })
  const res = write({ old: withAnnotations(undefined), object }, 'both')
  t.equal(res.response.allowed, true)
  t.equal(annotationsAfter(object, res)?.[CLEAR_BY], 'alice@kubernaut.ai')

  // The apiserver drops status on CREATE: a new execution is never Failed, so there is nothing to clear.
  const created = write({ operation: 'CREATE', object }, 'both')
  t.equal(created.response.allowed, false, 'status.phase Failed in a CREATE is dropped before it is stored')
  t.same(ruleIds(created), ['clear-annotation-requires-failed'])
  t.same(created.effects, [])
  const mutated = write({ operation: 'CREATE', object }, 'mutate')
  t.equal(annotationsAfter(object, mutated)?.[CLEAR_BY], 'alice@kubernaut.ai', 'a creator cannot bring a ready-made attribution')
  t.same(mutated.effects, [], 'no audit intent for a CREATE the validating webhook refuses')
})

t.test('Flow 2: a changed value is a new attribution; an unchanged value is not', async (t) => {
  const old = withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: EARLIER })
  const changed = withAnnotations({ [CLEAR]: `${REASON} again`, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: EARLIER })
  const res = write({ old, object: changed }, 'both')
  t.equal(res.response.allowed, true, message(res))
  t.same(sortedPatch(res), [
    { op: 'replace', path: AT_PATH, value: FIXED_NOW_RFC3339 },
    { op: 'replace', path: BY_PATH, value: 'alice@kubernaut.ai' },
  ])
  t.match(res.effects[0], { reason: `${REASON} again` })

  const unchanged = withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: EARLIER, note: 'new' })
  for (const webhook of ALL) {
    const same = write({ old, object: unchanged }, webhook)
    t.equal(same.response.allowed, true, webhook)
    t.equal(same.response.patch, undefined, webhook)
    t.same(same.effects, [], webhook)
  }
})

t.test('forgery: a client-supplied -by and -at are overwritten by the mutating webhook', async (t) => {
  const object = withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: EARLIER })
  const res = write({ object }, 'both')
  t.equal(res.response.allowed, true)
  t.same(annotationsAfter(object, res), { [CLEAR]: REASON, [CLEAR_BY]: 'alice@kubernaut.ai', [CLEAR_AT]: FIXED_NOW_RFC3339 })
})

t.test('forgery: -by set to someone else in the same request is refused by the validating webhook alone', async (t) => {
  const object = withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: FIXED_NOW_RFC3339 })
  const res = write({ object }, 'validate')
  t.equal(res.response.allowed, false)
  t.same(ruleIds(res), ['clear-annotation-webhook-only'])
  t.equal(
    message(res),
    'metadata.annotations[kubernaut.ai/clear-execution-block-by]: Forbidden: kubernaut.ai/clear-execution-block-by is written by the webhook only: it must be the requesting user "alice@kubernaut.ai"',
  )

  const stale = write({ object: withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'alice@kubernaut.ai', [CLEAR_AT]: EARLIER }) }, 'validate')
  t.equal(stale.response.allowed, false)
  t.match(
    message(stale),
    /^metadata\.annotations\[kubernaut\.ai\/clear-execution-block-at\]: Forbidden: kubernaut\.ai\/clear-execution-block-at is written by the webhook only/,
  )

  const missing = write({ object: withAnnotations({ [CLEAR]: REASON }) }, 'validate')
  t.equal(missing.response.allowed, false, 'without the mutating webhook there is no attribution, so no clearance')

  const honest = write(
    { object: withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'alice@kubernaut.ai', [CLEAR_AT]: FIXED_NOW_RFC3339 }) },
    'validate',
  )
  t.equal(honest.response.allowed, true, message(honest))
})

t.test('forgery: changing -by or -at without changing the clear annotation is denied', async (t) => {
  const old = withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: EARLIER })
  const cases: [string, Record<string, string>, string[]][] = [
    ['-by rewritten', { [CLEAR]: REASON, [CLEAR_BY]: 'alice@kubernaut.ai', [CLEAR_AT]: EARLIER }, [CLEAR_BY]],
    ['-at rewritten', { [CLEAR]: REASON, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: FIXED_NOW_RFC3339 }, [CLEAR_AT]],
    ['-by removed', { [CLEAR]: REASON, [CLEAR_AT]: EARLIER }, [CLEAR_BY]],
    ['both rewritten', { [CLEAR]: REASON, [CLEAR_BY]: 'mallory', [CLEAR_AT]: FIXED_NOW_RFC3339 }, [CLEAR_BY, CLEAR_AT]],
  ]
  for (const [name, annotations, fields] of cases) {
    for (const webhook of ['validate', 'both'] as const) {
      const res = write({ old, object: withAnnotations(annotations) }, webhook)
      t.equal(res.response.allowed, false, `${webhook}: ${name}`)
      t.same(
        res.response.status?.details?.causes?.map((c) => c.field),
        fields.map((f) => `metadata.annotations[${f}]`),
        `${webhook}: ${name}`,
      )
      for (const f of fields) t.match(message(res), `${f} is written by the webhook only: it changes only when ${CLEAR} is set or changed`)
    }
  }
  const noClear = write(
    { old: withAnnotations(undefined), object: withAnnotations({ [CLEAR_BY]: 'alice@kubernaut.ai', [CLEAR_AT]: FIXED_NOW_RFC3339 }) },
    'both',
  )
  t.equal(noClear.response.allowed, false, '-by and -at cannot be planted without a clear annotation')
  const onCreate = write({ operation: 'CREATE', object: withAnnotations({ [CLEAR_BY]: 'alice@kubernaut.ai' }) }, 'both')
  t.equal(onCreate.response.allowed, false, 'nor on CREATE')
  t.match(message(onCreate), /clear-execution-block-by is written by the webhook only/)
})

t.test('Flow 2: an empty username is denied with "authentication required"', async (t) => {
  for (const webhook of ALL) {
    const res = write(
      { object: withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: '', [CLEAR_AT]: FIXED_NOW_RFC3339 }), user: { username: '' } },
      webhook,
    )
    t.equal(res.response.allowed, false, webhook)
    t.match(message(res), /^metadata\.annotations\[kubernaut\.ai\/clear-execution-block-by\]: Forbidden: authentication required/)
    t.same(res.effects, [])
  }
})

t.test('Flow 2: the annotation value follows the reason rules at the boundary', async (t) => {
  const cases: [string, string, boolean, RegExp?][] = [
    ['empty', '', false, /^metadata\.annotations\[kubernaut\.ai\/clear-execution-block\]: Required value: clearReason is required/],
    ['whitespace only', ' \t \n', false, /clearReason is required/],
    ['four words', 'checked the node manually', false, /clearReason has 4 words, at least 5 are needed \(--min-clear-reason-words\)/],
    ['five words', 'checked the node manually, fine', true],
    ['tabs and newlines', 'checked\tthe\nnode\nmanually\tfine', true],
  ]
  for (const [name, reason, ok, pattern] of cases) {
    const mutate = write({ object: withAnnotations({ [CLEAR]: reason }) }, 'both')
    t.equal(mutate.response.allowed, ok, `both: ${name}`)
    if (pattern) t.match(message(mutate), pattern)
    if (!ok) t.same(mutate.effects, [])
    const validate = write(
      { object: withAnnotations({ [CLEAR]: reason, [CLEAR_BY]: 'alice@kubernaut.ai', [CLEAR_AT]: FIXED_NOW_RFC3339 }) },
      'validate',
    )
    t.equal(validate.response.allowed, ok, `validate: ${name}`)
  }
  const p = testPolicy({ minClearReasonWords: 2 })
  t.equal(write({ object: withAnnotations({ [CLEAR]: 'node fine' }) }, 'both', p).response.allowed, true, '--min-clear-reason-words 2')
})

t.test('removing the clear annotation withdraws it: -by and -at go too, nothing is audited', async (t) => {
  const old = withAnnotations({ note: 'x', [CLEAR]: REASON, [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: EARLIER })
  const object = withAnnotations({ note: 'x', [CLEAR_BY]: 'bob@kubernaut.ai', [CLEAR_AT]: EARLIER })
  const res = write({ old, object }, 'both')
  t.equal(res.response.allowed, true, message(res))
  t.same(
    patchOf(res)
      .map((o) => `${o.op} ${o.path}`)
      .sort(),
    [`remove ${AT_PATH}`, `remove ${BY_PATH}`],
  )
  t.same(annotationsAfter(object, res), { note: 'x' })
  t.same(res.effects, [])

  t.equal(write({ old, object }, 'validate').response.allowed, true, 'leaving -by and -at as they were is accepted')
  t.equal(write({ old, object: withAnnotations({ note: 'x' }) }, 'validate').response.allowed, true, 'removing all three is accepted')
  const rewritten = write({ old, object: withAnnotations({ [CLEAR_BY]: 'mallory' }) }, 'validate')
  t.equal(rewritten.response.allowed, false, 'but not rewriting -by on the way out')
  t.match(
    message(rewritten),
    /clear-execution-block-by is written by the webhook only: when kubernaut\.ai\/clear-execution-block is removed it may only be removed too/,
  )
})

t.test('dryRun: exactly the same verdict, patch and effect intents', async (t) => {
  const objects = [withAnnotations({ [CLEAR]: REASON, [CLEAR_BY]: 'bob' }), withAnnotations({ [CLEAR]: 'short' })]
  for (const object of objects) {
    for (const webhook of ALL) {
      const wet = write({ object, uid: 'same' }, webhook)
      const dry = write({ object, uid: 'same', dryRun: true }, webhook)
      t.same(dry.response, wet.response, webhook)
      t.same(dry.effects, wet.effects, webhook)
    }
  }
})

t.test('end to end with every built-in rule: annotate, then the controller copies into status', async (t) => {
  const p = fullPolicy()
  const stored = aFailedExecution((w) => {
    w.metadata.annotations = { note: 'x' }
  })
  const annotated = structuredClone(stored)
  annotated.metadata.annotations![CLEAR] = REASON
  const step1 = admit(aRequest({ operation: 'UPDATE', object: annotated, oldObject: stored, userInfo: OPERATOR }), p, 'both')
  t.equal(step1.response.allowed, true, message(step1))
  t.equal(step1.effects.length, 1)
  const afterAnnotate = applyTo(annotated, patchOf(step1))

  const copy = structuredClone(afterAnnotate)
  copy.status!.blockClearance = { clearMethod: 'Annotation', clearReason: REASON, clearedBy: CONTROLLER.username as string }
  const step2 = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', object: copy, oldObject: afterAnnotate, userInfo: CONTROLLER }),
    p,
    'both',
  )
  t.equal(step2.response.allowed, true, message(step2))
  t.same(applyTo(copy, patchOf(step2)).status?.blockClearance, {
    clearMethod: 'Annotation',
    clearReason: REASON,
    clearedBy: 'alice@kubernaut.ai',
    clearedAt: FIXED_NOW_RFC3339,
  })
  t.same(step2.effects, [])

  const flow1 = structuredClone(stored)
  flow1.status!.blockClearance = { clearReason: REASON, clearedBy: 'bob', clearMethod: 'StatusField' }
  const direct = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', object: flow1, oldObject: stored, userInfo: OPERATOR }),
    p,
    'both',
  )
  t.equal(direct.response.allowed, true, message(direct))
  t.equal(applyTo(flow1, patchOf(direct)).status?.blockClearance?.clearedBy, 'alice@kubernaut.ai')

  // What `kubectl patch --subresource=status --type=merge -p '{"status":{"blockClearance":{"clearReason":"..."}}}'` sends.
  const minimal = structuredClone(stored)
  ;(minimal.status as Record<string, unknown>)['blockClearance'] = { clearReason: REASON }
  const fromKubectl = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', object: minimal, oldObject: stored, userInfo: OPERATOR }),
    p,
    'both',
  )
  t.equal(fromKubectl.response.allowed, true, message(fromKubectl))
  t.same(applyTo(minimal, patchOf(fromKubectl)).status?.blockClearance, {
    clearReason: REASON,
    clearMethod: 'StatusField',
    clearedBy: 'alice@kubernaut.ai',
    clearedAt: FIXED_NOW_RFC3339,
  })

  const later = applyTo(minimal, patchOf(fromKubectl))
  const rewrite = structuredClone(later)
  rewrite.status!.blockClearance!.clearedBy = 'bob@kubernaut.ai'
  const denied = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', object: rewrite, oldObject: later, userInfo: OPERATOR }),
    p,
    'both',
  )
  t.equal(denied.response.allowed, false)
  t.match(message(denied), /immutable/)
})

t.test('the clear annotation is refused before the execution has failed, and nothing is audited', async (t) => {
  for (const phase of ['Pending', 'Running', 'Completed', undefined] as const) {
    const old = aFailedExecution((w) => {
      if (phase === undefined) delete w.status
      else w.status!.phase = phase
    })
    const object = structuredClone(old)
    object.metadata.annotations = { [CLEAR]: REASON }
    const both = write({ old, object }, 'both')
    t.equal(both.response.allowed, false, String(phase))
    t.same(ruleIds(both, 'deny'), ['clear-annotation-requires-failed'], String(phase))
    t.match(
      message(both),
      `metadata.annotations[${CLEAR}]: Forbidden: nothing to clear: a block can be cleared only on a failed execution: status.phase is ${JSON.stringify(phase ?? null)}, not "Failed"`,
    )
    const mutate = write({ old, object }, 'mutate')
    t.same(mutate.effects, [], `${String(phase)}: the mutating call records no attribution either`)
  }
  const old = withAnnotations(undefined)
  const ok = write({ old, object: withAnnotations({ [CLEAR]: REASON }) }, 'both')
  t.equal(ok.response.allowed, true, 'on a Failed execution it is accepted')
  t.equal(ok.effects.length, 1)
})
