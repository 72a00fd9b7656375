import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import { applyTo } from '../helpers/patch.js'
import type { UserInfo } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { blockClearanceAttribution } from '../../src/rules/block-clearance.js'
import { aFailedExecution, aRequest, CONTROLLER, FIXED_NOW, FIXED_NOW_RFC3339, OPERATOR, TEST_OPTIONS } from '../helpers/objects.js'
import { message, patchOf, ruleIds } from '../helpers/verdict.js'
import {
  ALL,
  ATTRIBUTED,
  clearanceAfter,
  clearancePolicy as testPolicy,
  policy,
  REASON,
  statusWrite,
  withClearance,
  type Clearance,
  type StatusWrite,
} from './clearance-fixtures.js'

// Flow 1 (StatusField), immutability, the Failed-phase rule and dry run. The trusted-controller copy
// of Flow 2 is in block-clearance-copy.test.ts, the annotations themselves in clearance-annotations.

t.test('Flow 1: a new clearance is attributed to the requester at the server time, clearMethod defaulted', async (t) => {
  const object = withClearance({ clearReason: REASON })
  const res = statusWrite({ object }, 'mutate')
  t.equal(res.response.allowed, true)
  t.equal(res.response.patchType, 'JSONPatch')
  t.same(clearanceAfter(object, res), {
    clearReason: REASON,
    clearedBy: 'alice@kubernaut.ai',
    clearedAt: FIXED_NOW_RFC3339,
    clearMethod: 'StatusField',
  })
  t.same(res.effects, [
    {
      type: 'workflowexecution.block.cleared',
      actor: { username: 'alice@kubernaut.ai', uid: 'u-alice', groups: ['sre', 'system:authenticated'] },
      resource: { namespace: 'kubernaut-system', name: 'wfe-payment-api-1', uid: '6f1c2d3e-0000-4000-8000-000000000001' },
      reason: REASON,
      method: 'StatusField',
      time: FIXED_NOW_RFC3339,
      correlationId: 'rr-payment-api',
      admissionUid: 'req-1',
    },
  ])

  const both = statusWrite({ object }, 'both')
  t.equal(both.response.allowed, true)
  t.same(patchOf(both), patchOf(res), 'both carries the same patch')
  t.same(both.effects, res.effects)

  // The apiserver calls the validating webhook with the mutated object.
  const validated = statusWrite({ object: applyTo(object, patchOf(res)) }, 'validate')
  t.equal(validated.response.allowed, true, message(validated))
  t.same(validated.effects, [], 'the validating webhook never emits effects')
})

t.test('Flow 1: clearedAt is RFC 3339 UTC with whole seconds, from the policy clock', async (t) => {
  const object = withClearance({ clearReason: REASON })
  const res = statusWrite({ object }, 'mutate', testPolicy({ now: () => new Date('2027-01-02T03:04:05.999Z') }))
  t.equal(clearanceAfter(object, res)['clearedAt'], '2027-01-02T03:04:05Z')
})

t.test('forgery: client-supplied clearedBy and clearedAt are overwritten', async (t) => {
  const object = withClearance({
    clearReason: REASON,
    clearMethod: 'StatusField',
    clearedBy: 'bob@kubernaut.ai',
    clearedAt: '2020-01-01T00:00:00Z',
  })
  for (const webhook of ['mutate', 'both'] as const) {
    const res = statusWrite({ object }, webhook)
    t.equal(res.response.allowed, true, webhook)
    t.same(
      patchOf(res)
        .map((o) => `${o.op} ${o.path}`)
        .sort(),
      ['replace /status/blockClearance/clearedAt', 'replace /status/blockClearance/clearedBy'],
      webhook,
    )
    const bc = clearanceAfter(object, res)
    t.equal(bc['clearedBy'], 'alice@kubernaut.ai')
    t.equal(bc['clearedAt'], FIXED_NOW_RFC3339)
    t.equal(res.effects[0]?.actor.username, 'alice@kubernaut.ai')
  }
})

t.test('a Go client zero clearedAt (null) and an empty clearMethod are filled in', async (t) => {
  const object = withClearance({ clearReason: REASON, clearedAt: null, clearedBy: '', clearMethod: '' })
  const res = statusWrite({ object }, 'both')
  t.equal(res.response.allowed, true, message(res))
  t.same(clearanceAfter(object, res), {
    clearReason: REASON,
    clearedAt: FIXED_NOW_RFC3339,
    clearedBy: 'alice@kubernaut.ai',
    clearMethod: 'StatusField',
  })
})

t.test('forgery without the mutating webhook: the validating webhook alone refuses it', async (t) => {
  const forged = withClearance({
    clearReason: REASON,
    clearMethod: 'StatusField',
    clearedBy: 'bob@kubernaut.ai',
    clearedAt: FIXED_NOW_RFC3339,
  })
  const res = statusWrite({ object: forged }, 'validate')
  t.equal(res.response.allowed, false)
  t.same(ruleIds(res), ['block-clearance-truthful'])
  t.equal(
    message(res),
    'status.blockClearance.clearedBy: Forbidden: must be the requesting user "alice@kubernaut.ai": clearedBy is written by the webhook from the request\'s userInfo',
  )

  const backdated = withClearance({
    clearReason: REASON,
    clearMethod: 'StatusField',
    clearedBy: 'alice@kubernaut.ai',
    clearedAt: '2026-11-25T09:00:00Z',
  })
  const late = statusWrite({ object: backdated }, 'validate')
  t.equal(late.response.allowed, false)
  t.match(message(late), /^status\.blockClearance\.clearedAt: Forbidden: must be the time of this request/)

  const missing = withClearance({ clearReason: REASON, clearMethod: 'StatusField' })
  t.equal(
    statusWrite({ object: missing }, 'validate').response.allowed,
    false,
    'an unattributed record is not accepted by validation alone',
  )

  const skewed = withClearance({
    clearReason: REASON,
    clearMethod: 'StatusField',
    clearedBy: 'alice@kubernaut.ai',
    clearedAt: new Date(FIXED_NOW.getTime() - 60_000).toISOString(),
  })
  t.equal(statusWrite({ object: skewed }, 'validate').response.allowed, true, 'a minute of clock skew between replicas is accepted')
})

t.test('empty or missing username is denied with "authentication required", in every webhook', async (t) => {
  const object = withClearance({ clearReason: REASON, clearedBy: 'alice@kubernaut.ai', clearedAt: FIXED_NOW_RFC3339 })
  for (const user of [{ username: '' }, {}, { username: '', groups: ['system:unauthenticated'] }] as UserInfo[]) {
    for (const webhook of ALL) {
      const res = statusWrite({ object, user }, webhook)
      t.equal(res.response.allowed, false, `${webhook} ${JSON.stringify(user)}`)
      t.match(message(res), /^status\.blockClearance\.clearedBy: Forbidden: authentication required/)
      t.equal(res.response.patch, undefined)
      t.same(res.effects, [])
    }
  }
})

t.test('clearReason rules at the boundary, in the mutating and the validating webhook', async (t) => {
  const cases: [string, unknown, boolean, RegExp?][] = [
    ['absent', undefined, false, /clearReason: Required value: clearReason is required/],
    ['empty', '', false, /clearReason: Required value: clearReason is required/],
    ['whitespace only', '  \t\n  ', false, /clearReason is required/],
    ['not a string', 42, false, /clearReason is required/],
    [
      'four words',
      'checked the node manually',
      false,
      /Invalid value: "checked the node manually": clearReason has 4 words, at least 5 are needed \(--min-clear-reason-words\)/,
    ],
    ['one word', 'fixed', false, /clearReason has 1 word, at least 5/],
    ['five words', 'checked the node manually, fine', true],
    ['tabs and newlines separate words', 'checked\tthe\nnode\r\nmanually  fine', true],
    ['four words padded with whitespace', '\n checked\t\tthe node manually \n', false, /has 4 words/],
  ]
  for (const [name, reason, ok, pattern] of cases) {
    const bc: Clearance = { clearMethod: 'StatusField' }
    if (reason !== undefined) bc.clearReason = reason
    const mutate = statusWrite({ object: withClearance(bc) }, 'mutate')
    t.equal(mutate.response.allowed, ok, `mutate: ${name}`)
    if (pattern) t.match(message(mutate), pattern, `mutate: ${name}`)
    if (!ok) t.same(mutate.effects, [], `no effect on denial: ${name}`)
    const validate = statusWrite(
      { object: withClearance({ ...bc, clearedBy: 'alice@kubernaut.ai', clearedAt: FIXED_NOW_RFC3339 }) },
      'validate',
    )
    t.equal(validate.response.allowed, ok, `validate: ${name}`)
    if (pattern) t.match(message(validate), pattern, `validate: ${name}`)
  }
})

t.test('--min-clear-reason-words changes the boundary and the message', async (t) => {
  const p = testPolicy({ minClearReasonWords: 3 })
  t.equal(statusWrite({ object: withClearance({ clearReason: 'node was fine' }) }, 'both', p).response.allowed, true)
  const res = statusWrite({ object: withClearance({ clearReason: 'node fine' }) }, 'both', p)
  t.equal(res.response.allowed, false)
  t.match(message(res), /clearReason has 2 words, at least 3 are needed/)
})

t.test('routine status writes without blockClearance pass untouched: no patch, no effect, no violation', async (t) => {
  const old = aFailedExecution((w) => {
    w.status!.phase = 'Running'
    delete w.status!.failureDetails
  })
  const object = aFailedExecution((w) => {
    w.status!.phase = 'Running'
    delete w.status!.failureDetails
    w.status!.observedGeneration = 2
  })
  for (const webhook of ALL) {
    const res = statusWrite({ old, object, user: CONTROLLER }, webhook)
    t.equal(res.response.allowed, true, webhook)
    t.equal(res.response.patch, undefined, webhook)
    t.same(res.effects, [], webhook)
    t.same(
      ruleIds(res).filter((id) => id.startsWith('block-clearance')),
      [],
      webhook,
    )
  }
  const ctx = {
    request: aRequest({ operation: 'UPDATE', subResource: 'status', object, oldObject: old, userInfo: CONTROLLER }),
    object,
    oldObject: old,
    options: TEST_OPTIONS,
    now: FIXED_NOW,
  }
  t.equal(blockClearanceAttribution.applies?.(ctx), false, 'the mutator is skipped before the core copies status')
  const attributedCtx = { ...ctx, object: withClearance(ATTRIBUTED), oldObject: withClearance(ATTRIBUTED) }
  t.equal(blockClearanceAttribution.applies?.(attributedCtx), false, 'and when the stored record is already attributed')
  t.equal(blockClearanceAttribution.applies?.({ ...ctx, object: withClearance({ clearReason: REASON }) }), true)
})

t.test('already attributed: an identical write gets no patch and no effect', async (t) => {
  const old = withClearance(ATTRIBUTED)
  const object = withClearance(ATTRIBUTED, (w) => {
    w.status!.observedGeneration = 3
  })
  for (const webhook of ALL) {
    const res = statusWrite({ old, object, user: CONTROLLER }, webhook)
    t.equal(res.response.allowed, true, webhook)
    t.equal(res.response.patch, undefined, webhook)
    t.same(res.effects, [], webhook)
  }
})

t.test('an attributed record is immutable: edits and removal are denied', async (t) => {
  const old = withClearance(ATTRIBUTED)
  const edits: [string, WorkflowExecution, RegExp][] = [
    ['clearedBy replaced', withClearance({ ...ATTRIBUTED, clearedBy: 'bob@kubernaut.ai' }), /changed: status\.blockClearance\.clearedBy$/],
    ['clearedAt moved', withClearance({ ...ATTRIBUTED, clearedAt: '2026-11-25T11:00:00Z' }), /changed: status\.blockClearance\.clearedAt$/],
    [
      'reason rewritten',
      withClearance({ ...ATTRIBUTED, clearReason: 'something else entirely was the real cause' }),
      /changed: status\.blockClearance\.clearReason$/,
    ],
    ['method changed', withClearance({ ...ATTRIBUTED, clearMethod: 'Annotation' }), /changed: status\.blockClearance\.clearMethod$/],
    ['field added', withClearance({ ...ATTRIBUTED, note: 'x' } as Clearance), /changed: status\.blockClearance\.note$/],
    [
      'removed',
      withClearance(undefined, (w) => {
        delete w.status!.blockClearance
      }),
      /immutable once attributed \(cleared by "alice@kubernaut\.ai" at "2026-11-25T10:00:00Z"\): it cannot be removed$/,
    ],
    ['set to null', withClearance(null), /it cannot be removed$/],
  ]
  for (const [name, object, pattern] of edits) {
    for (const user of [OPERATOR, CONTROLLER]) {
      const mutate = statusWrite({ old, object, user }, 'mutate')
      t.equal(mutate.response.patch, undefined, `mutate adds no patch: ${name}`)
      t.same(mutate.effects, [], `no new attribution: ${name}`)
      for (const webhook of ['validate', 'both'] as const) {
        const res = statusWrite({ old, object, user }, webhook)
        t.equal(res.response.allowed, false, `${webhook}: ${name}`)
        t.same(ruleIds(res), ['block-clearance-immutable'], `${webhook}: ${name}`)
        t.match(message(res), /^status\.blockClearance: Forbidden: blockClearance is immutable once attributed/)
        t.match(message(res), pattern, `${webhook}: ${name}`)
      }
    }
  }
})

t.test('a main-resource write carrying a changed clearance changes nothing: the apiserver keeps the stored status', async (t) => {
  const req = aRequest({
    operation: 'UPDATE',
    object: withClearance({ ...ATTRIBUTED, clearedBy: 'bob@kubernaut.ai' }),
    oldObject: withClearance(ATTRIBUTED),
    userInfo: OPERATOR,
  })
  const res = admit(req, policy, 'both')
  t.equal(res.response.allowed, true, 'judged on the stored status, which is unchanged')
  t.equal(res.response.patch, undefined)
  t.same(res.effects, [])
})

t.test('a stored record without clearedBy: carried through unchanged it passes untouched; changed, it is attributed', async (t) => {
  const old = withClearance({ clearReason: REASON, clearMethod: 'StatusField' })
  const carried = statusWrite({ old, object: withClearance({ clearReason: REASON, clearMethod: 'StatusField' }) }, 'both')
  t.equal(carried.response.allowed, true, "a routine write carrying it is nobody's clearance")
  t.equal(carried.response.patch, undefined)
  t.same(carried.effects, [])

  const object = withClearance({ clearReason: `${REASON}, re-checked`, clearMethod: 'StatusField' })
  const res = statusWrite({ old, object }, 'both')
  t.equal(res.response.allowed, true)
  t.equal(clearanceAfter(object, res)['clearedBy'], 'alice@kubernaut.ai')
  t.equal(res.effects.length, 1)
})

t.test('a stored record with an empty clearedBy never blocks metadata-only updates (finalizer removal)', async (t) => {
  const stored = withClearance({ clearedBy: '', clearReason: 'short', clearMethod: 'StatusField' })
  const object = structuredClone(stored)
  object.metadata.finalizers = []
  const res = admit(aRequest({ operation: 'UPDATE', object, oldObject: stored, userInfo: OPERATOR }), policy, 'both')
  t.equal(res.response.allowed, true, message(res))
})

t.test('a new clearance is denied unless status.phase is Failed', async (t) => {
  for (const phase of ['Running', 'Completed', 'Pending', undefined]) {
    const object = withClearance({ clearReason: REASON }, (w) => {
      if (phase === undefined) delete w.status!.phase
      else w.status!.phase = phase as 'Running'
    })
    const old = structuredClone(object)
    delete old.status!.blockClearance
    const both = statusWrite({ old, object }, 'both')
    t.equal(both.response.allowed, false, String(phase))
    t.ok(ruleIds(both).includes('block-clearance-requires-failed'), String(phase))
    t.match(
      message(both),
      `status.blockClearance: Forbidden: nothing to clear: a block can be cleared only on a failed execution: status.phase is ${JSON.stringify(phase ?? null)}, not "Failed"`,
    )
    t.same(both.effects, [], 'effects are dropped with the denial')
  }
})

t.test('a blockClearance that is not an object is denied', async (t) => {
  for (const webhook of ALL) {
    const res = statusWrite({ object: withClearance('cleared' as unknown as Clearance) }, webhook)
    t.equal(res.response.allowed, false, webhook)
    t.match(message(res), /^status\.blockClearance: Invalid value: "cleared": must be an object/)
  }
})

t.test('dryRun: exactly the same verdict, patch and effect intents (the edge skips the effects)', async (t) => {
  const cases: StatusWrite[] = [
    { object: withClearance({ clearReason: REASON, clearedBy: 'bob@kubernaut.ai' }) },
    { object: withClearance({ clearReason: 'too short' }) },
    { old: withClearance(ATTRIBUTED), object: withClearance({ ...ATTRIBUTED, clearedBy: 'bob' }) },
  ]
  for (const c of cases) {
    for (const webhook of ALL) {
      const wet = statusWrite({ ...c, uid: 'same' }, webhook)
      const dry = statusWrite({ ...c, uid: 'same', dryRun: true }, webhook)
      t.same(dry.response, wet.response, webhook)
      t.same(dry.effects, wet.effects, webhook)
    }
  }
})

t.test('one write cannot fail an execution and clear it: the stored phase must be Failed too', async (t) => {
  for (const stored of ['Running', 'Pending', undefined] as const) {
    const old = withClearance({ clearReason: REASON }, (w) => {
      delete w.status!.blockClearance
      if (stored === undefined) delete w.status!.phase
      else w.status!.phase = stored
    })
    const object = withClearance({ clearReason: REASON })
    const both = statusWrite({ old, object }, 'both')
    t.equal(both.response.allowed, false, String(stored))
    t.match(message(both), `status.phase is ${JSON.stringify(stored ?? null)}, not "Failed"`)
    t.same(statusWrite({ old, object }, 'mutate').effects, [], `${String(stored)}: nothing audited`)
  }
})

t.test(
  'a clearance needs a block in force: Failed without failureDetails, or with wasExecutionFailure false, has nothing to clear',
  async (t) => {
    const cases: [string, (w: WorkflowExecution) => void, RegExp][] = [
      ['no failureDetails', (w) => delete w.status!.failureDetails, /wasExecutionFailure is null, not true/],
      [
        'wasExecutionFailure false',
        (w) => (w.status!.failureDetails!.wasExecutionFailure = false),
        /wasExecutionFailure is false, not true/,
      ],
    ]
    for (const [name, edit, re] of cases) {
      const object = withClearance({ clearReason: REASON }, edit)
      const old = structuredClone(object)
      delete old.status!.blockClearance
      t.same(statusWrite({ old, object }, 'mutate').effects, [], `${name}: the mutating webhook hands nothing to the audit trail`)
      for (const webhook of ['validate', 'both'] as const) {
        const res = statusWrite({ old, object }, webhook)
        t.equal(res.response.allowed, false, `${name} ${webhook}`)
        t.match(message(res), /status\.blockClearance: Forbidden: nothing to clear: no block is in force/, name)
        t.match(message(res), re, name)
        t.same(res.effects, [], name)
      }
    }
  },
)
