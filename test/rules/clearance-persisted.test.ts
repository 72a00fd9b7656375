import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import type { UserInfo, WebhookKind } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { countWords, rfc3339Seconds } from '../../src/rules/clearance-attribution.js'
import { MAX_WARNING_CHARS, sanitizeWarning } from '../../src/admission/warning.js'
import { aFailedExecution, aRequest, OPERATOR, testPolicy } from '../helpers/objects.js'
import { message, ruleIds } from '../helpers/verdict.js'
import { ATTRIBUTED, CLEAR, CLEAR_BY, REASON, statusWrite, withClearance } from './clearance-fixtures.js'

// Items 3 and 5 of issue 11: clearances are judged and recorded on the object as the apiserver will
// store it, with identity from the stored object, and the smaller holes are closed.
const policy = testPolicy()
const running = (patch: (w: WorkflowExecution) => void = () => {}): WorkflowExecution =>
  aFailedExecution((w) => {
    w.status = { phase: 'Running' }
    patch(w)
  })

function mainWrite(old: WorkflowExecution | undefined, object: WorkflowExecution, webhook: WebhookKind, user: UserInfo = OPERATOR) {
  return admit(
    aRequest({ operation: old === undefined ? 'CREATE' : 'UPDATE', object, oldObject: old, userInfo: user, uid: 'req-main' }),
    policy,
    webhook,
  )
}

t.test(
  '(a) stored Failed, annotation plus status.phase Running on the main resource: stored Failed, so attributed and recorded',
  async (t) => {
    const object = aFailedExecution((w) => {
      w.metadata.annotations = { [CLEAR]: REASON }
      w.status!.phase = 'Running'
    })
    const res = mainWrite(aFailedExecution(), object, 'mutate')
    t.equal(res.response.allowed, true)
    t.equal(res.effects.length, 1, 'the apiserver keeps the stored Failed phase, so this clearance is stored and must be recorded')
    const both = mainWrite(aFailedExecution(), object, 'both')
    t.equal(both.response.allowed, true, message(both))
  },
)

t.test('(b) stored Running, annotation plus status.phase Failed: refused, and nothing recorded', async (t) => {
  const object = aFailedExecution((w) => {
    w.metadata.annotations = { [CLEAR]: REASON }
  })
  const res = mainWrite(running(), object, 'mutate')
  t.same(res.effects, [], 'the validating webhook will see the stored Running phase and refuse')
  const both = mainWrite(running(), object, 'both')
  t.equal(both.response.allowed, false)
  t.same(ruleIds(both), ['clear-annotation-requires-failed'])
  t.match(message(both), /status\.phase is "Running"/)

  const created = mainWrite(undefined, object, 'mutate')
  t.same(created.effects, [], 'status is dropped on CREATE')
  t.equal(mainWrite(undefined, object, 'both').response.allowed, false)
})

t.test('(c) a /status clearance carrying another uid or remediationRequestRef is recorded under the stored identity', async (t) => {
  const object = withClearance({ clearReason: REASON }, (w) => {
    w.metadata.uid = 'forged-uid'
    w.metadata.name = 'someone-else'
    w.spec.remediationRequestRef.name = 'rr-forged'
  })
  const res = statusWrite({ object }, 'mutate')
  t.equal(res.response.allowed, true)
  t.equal(res.effects.length, 1)
  t.same(res.effects[0]?.resource, {
    namespace: 'kubernaut-system',
    name: 'wfe-payment-api-1',
    uid: '6f1c2d3e-0000-4000-8000-000000000001',
  })
  t.equal(res.effects[0]?.correlationId, 'rr-payment-api')
})

t.test('system:anonymous and system:unauthenticated cannot clear, in either flow', async (t) => {
  const anonymous: UserInfo[] = [
    { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    { username: 'system:anonymous' },
    { username: 'someone', groups: ['system:unauthenticated'] },
  ]
  for (const user of anonymous) {
    for (const webhook of ['mutate', 'both'] as const) {
      const status = statusWrite({ object: withClearance({ clearReason: REASON }), user }, webhook)
      t.equal(status.response.allowed, false, `${user.username} status ${webhook}`)
      t.match(message(status), /status\.blockClearance\.clearedBy: Forbidden: authentication required/)
      const ann = mainWrite(
        aFailedExecution(),
        aFailedExecution((w) => {
          w.metadata.annotations = { [CLEAR]: REASON }
        }),
        webhook,
        user,
      )
      t.equal(ann.response.allowed, false, `${user.username} annotation ${webhook}`)
      t.match(message(ann), new RegExp(`annotations\\[${CLEAR_BY.replace(/[./]/g, '\\$&')}\\]: Forbidden: authentication required`))
      t.same([...status.effects, ...ann.effects], [])
    }
  }
})

t.test('a time is written in whole seconds, and the memo never answers for another second', async (t) => {
  t.equal(rfc3339Seconds(new Date('2026-11-25T10:20:30.999Z')), '2026-11-25T10:20:30Z')
  t.equal(rfc3339Seconds(new Date('2026-11-25T10:20:30.001Z')), '2026-11-25T10:20:30Z', 'same second')
  t.equal(rfc3339Seconds(new Date('2026-11-25T10:20:31.000Z')), '2026-11-25T10:20:31Z', 'the next second')
  t.equal(rfc3339Seconds(new Date('2026-11-25T10:20:30.500Z')), '2026-11-25T10:20:30Z', 'and back')
  t.equal(rfc3339Seconds(new Date(-1)), '1969-12-31T23:59:59Z', 'before the epoch: the second it falls in')
  t.throws(() => rfc3339Seconds(new Date(Number.NaN)), RangeError, 'an invalid date throws, memo or not')
  t.throws(() => rfc3339Seconds(new Date(Number.NaN)), RangeError, 'twice')
})

t.test('words are counted as runs holding a Unicode letter or digit', async (t) => {
  t.equal(countWords('node pressure resolved, cluster verified'), 5)
  t.equal(countWords('\u200b \u200b \u200b \u200b \u200b'), 0, 'zero-width spaces')
  t.equal(countWords('\u200c\u200d \ufeff - — ... !!'), 0, 'joiners, BOM, punctuation')
  t.equal(countWords('Knoten überprüft 节点 已 恢复 ３'), 6, 'any script, full-width digits')
  t.equal(countWords('a\u3000b\u00a0c\td\ne'), 5, 'ideographic and no-break spaces separate words')
  const res = statusWrite({ object: withClearance({ clearReason: 'ok \u200b \u200b \u200b \u200b' }) }, 'both')
  t.equal(res.response.allowed, false)
  t.match(message(res), /clearReason has 1 word, at least 5/)
})

t.test('warnings are one line, without control characters, at most 256 characters', async (t) => {
  t.equal(sanitizeWarning('a\nb\r\tc\u0000d\u007fe\u0085f\u2028g'), 'a b  c\ufffdd\ufffde\ufffdf g')
  t.equal(sanitizeWarning('lone \ud800 surrogate'), 'lone \ufffd surrogate')
  const long = sanitizeWarning('é'.repeat(400))
  t.equal([...long].length, MAX_WARNING_CHARS)
  t.ok(long.endsWith('...'))
  // A username with a newline, set as clearMethod Annotation by a non-trusted user: the warning quotes it.
  const user: UserInfo = { username: `mallory\nWarning: 299 - "forged"${'x'.repeat(300)}`, groups: ['system:authenticated'] }
  const res = statusWrite({ object: withClearance({ clearReason: REASON, clearMethod: 'Annotation' }), user }, 'mutate')
  t.equal(res.response.allowed, true)
  t.equal(res.response.warnings?.length, 1)
  for (const w of res.response.warnings ?? []) {
    t.notMatch(w, /[\p{Cc}]/u)
    t.ok([...w].length <= MAX_WARNING_CHARS, 'capped')
  }
})

t.test('re-annotating after status is attributed is refused and records nothing', async (t) => {
  const old = withClearance(ATTRIBUTED, (w) => {
    w.metadata.annotations = { [CLEAR]: REASON, [CLEAR_BY]: 'alice@kubernaut.ai', [`${CLEAR}-at`]: ATTRIBUTED.clearedAt }
  })
  const object = withClearance(ATTRIBUTED, (w) => {
    w.metadata.annotations = { ...old.metadata.annotations, [CLEAR]: `${REASON} and once more` }
  })
  const mutated = mainWrite(old, object, 'mutate')
  t.same(mutated.effects, [], 'no second audit intent for a clearance that can never take effect')
  const res = mainWrite(old, object, 'both')
  t.equal(res.response.allowed, false)
  t.same(ruleIds(res), ['clear-annotation-after-cleared'])
  t.match(message(res), /already cleared by "alice@kubernaut\.ai" at "2026-11-25T10:00:00Z"/)
  const removed = structuredClone(old)
  delete removed.metadata.annotations
  t.equal(mainWrite(old, removed, 'both').response.allowed, true, 'tidying the annotations away is allowed')
})

t.test('case variants of the clearance annotation keys are refused naming the real key', async (t) => {
  for (const key of [
    'Kubernaut.AI/clear-execution-block',
    'kubernaut.ai/Clear-Execution-Block-By',
    'KUBERNAUT.AI/CLEAR-EXECUTION-BLOCK-AT',
  ]) {
    const res = mainWrite(
      aFailedExecution(),
      aFailedExecution((w) => {
        w.metadata.annotations = { [key]: REASON }
      }),
      'both',
    )
    t.equal(res.response.allowed, false, key)
    t.same(ruleIds(res), ['clear-annotation-key-case'], key)
    t.match(
      message(res),
      new RegExp(
        `annotations\\[${key.replace(/[./]/g, '\\$&')}\\]: Forbidden: annotation keys are case-sensitive.*use ${key.toLowerCase().replace(/[./]/g, '\\$&')}$`,
      ),
    )
    t.same(
      mainWrite(
        aFailedExecution(),
        aFailedExecution((w) => {
          w.metadata.annotations = { [key]: REASON }
        }),
        'mutate',
      ).effects,
      [],
    )
  }
  const stored = aFailedExecution((w) => {
    w.metadata.annotations = { 'Kubernaut.AI/clear-execution-block': 'old' }
  })
  const relabelled = structuredClone(stored)
  relabelled.metadata.labels = { x: 'y' }
  t.equal(mainWrite(stored, relabelled, 'both').response.allowed, true, 'a key already stored does not block unrelated writes')
})
