import t from 'tap'
import { FIXED_NOW_RFC3339, aFailedExecution, CONTROLLER, OPERATOR } from '../helpers/objects.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { message } from '../helpers/verdict.js'
import {
  ALL,
  ANNOTATED_AT,
  annotated,
  clearanceAfter,
  clearancePolicy as testPolicy,
  CLEAR,
  CLEAR_AT,
  CLEAR_BY,
  REASON,
  statusWrite,
  withClearance,
  type Clearance,
} from './clearance-fixtures.js'

// The /status half of Flow 2 (src/rules/block-clearance.ts): only --trusted-controllers may copy an
// annotation attribution into status.blockClearance with clearMethod Annotation; anyone else is
// attributed from their own userInfo.

t.test('Flow 2, trusted controller: clearedBy, clearedAt and clearReason come from the stored annotations', async (t) => {
  const old = aFailedExecution((w) => annotated(w))
  const object = withClearance(
    { clearMethod: 'Annotation', clearReason: REASON, clearedBy: CONTROLLER.username, clearedAt: FIXED_NOW_RFC3339 },
    (w) => annotated(w),
  )
  const res = statusWrite({ old, object, user: CONTROLLER }, 'both')
  t.equal(res.response.allowed, true, message(res))
  t.same(clearanceAfter(object, res), {
    clearMethod: 'Annotation',
    clearReason: REASON,
    clearedBy: 'alice@kubernaut.ai',
    clearedAt: ANNOTATED_AT,
  })
  t.same(res.effects, [], 'the annotation write was the audited attribution; the copy adds no second record')

  const noReason = withClearance({ clearMethod: 'Annotation' }, (w) => annotated(w))
  const filled = statusWrite({ old, object: noReason, user: CONTROLLER }, 'both')
  t.equal(filled.response.allowed, true, message(filled))
  t.equal(
    clearanceAfter(noReason, filled)['clearReason'],
    REASON,
    'the reason is taken from the annotation when the controller leaves it out',
  )

  const exact = withClearance({ clearMethod: 'Annotation', clearReason: REASON, clearedBy: 'alice@kubernaut.ai', clearedAt: ANNOTATED_AT })
  t.equal(
    statusWrite({ old, object: exact, user: CONTROLLER }, 'validate').response.allowed,
    true,
    'validation alone accepts a faithful copy',
  )
})

t.test('Flow 2, trusted controller: a copy that disagrees with the annotations is refused by validation alone', async (t) => {
  const old = aFailedExecution((w) => annotated(w))
  const cases: [string, Clearance, string][] = [
    [
      'clearedBy',
      { clearedBy: CONTROLLER.username, clearedAt: ANNOTATED_AT, clearReason: REASON },
      'status.blockClearance.clearedBy: Forbidden: must equal the kubernaut.ai/clear-execution-block-by annotation ("alice@kubernaut.ai")',
    ],
    [
      'clearedAt',
      { clearedBy: 'alice@kubernaut.ai', clearedAt: FIXED_NOW_RFC3339, clearReason: REASON },
      'status.blockClearance.clearedAt: Forbidden: must equal the kubernaut.ai/clear-execution-block-at annotation ("2026-11-25T10:00:00Z")',
    ],
  ]
  for (const [name, bc, expected] of cases) {
    const res = statusWrite({ old, object: withClearance({ clearMethod: 'Annotation', ...bc }), user: CONTROLLER }, 'validate')
    t.equal(res.response.allowed, false, name)
    t.equal(message(res), expected)
  }
})

t.test('Flow 2, trusted controller: absent or inconsistent annotations are denied', async (t) => {
  const bc = { clearMethod: 'Annotation', clearReason: REASON }
  const cases: [string, (w: WorkflowExecution) => void, RegExp][] = [
    ['no annotations', () => {}, /kubernaut\.ai\/clear-execution-block is absent or empty/],
    ['blank clear annotation', (w) => annotated(w, 'alice@kubernaut.ai', '   '), /kubernaut\.ai\/clear-execution-block is absent or empty/],
    [
      '-by missing',
      (w) => {
        annotated(w)
        delete w.metadata.annotations![CLEAR_BY]
      },
      /clear-execution-block-by is absent or empty/,
    ],
    [
      '-at missing',
      (w) => {
        annotated(w)
        delete w.metadata.annotations![CLEAR_AT]
      },
      /clear-execution-block-at is absent or not an RFC 3339 time/,
    ],
    [
      '-at not a time',
      (w) => annotated(w, 'alice@kubernaut.ai', REASON, 'yesterday'),
      /clear-execution-block-at is absent or not an RFC 3339 time/,
    ],
    [
      '-by and -at without the clear annotation',
      (w) => {
        annotated(w)
        delete w.metadata.annotations![CLEAR]
      },
      /clear-execution-block is absent or empty/,
    ],
    [
      'reason disagrees',
      (w) => annotated(w, 'alice@kubernaut.ai', 'a completely different reason given here'),
      /clearReason "node pressure resolved, cluster state verified manually" is inconsistent with kubernaut\.ai\/clear-execution-block/,
    ],
  ]
  for (const [name, setup, pattern] of cases) {
    const old = aFailedExecution(setup)
    for (const webhook of ALL) {
      const res = statusWrite(
        { old, object: withClearance({ ...bc, clearedBy: 'alice@kubernaut.ai', clearedAt: ANNOTATED_AT }, setup), user: CONTROLLER },
        webhook,
      )
      t.equal(res.response.allowed, false, `${webhook}: ${name}`)
      t.match(
        message(res),
        /^status\.blockClearance\.clearMethod: Forbidden: clearMethod "Annotation" copies the attribution from the WorkflowExecution's annotations, but /,
      )
      t.match(message(res), pattern, `${webhook}: ${name}`)
    }
  }
})

t.test('Flow 2, trusted controller: annotations supplied in the status write itself are not trusted', async (t) => {
  const object = withClearance({ clearMethod: 'Annotation', clearReason: REASON }, (w) => annotated(w, 'mallory@kubernaut.ai'))
  const res = statusWrite({ old: aFailedExecution(), object, user: CONTROLLER }, 'both')
  t.equal(res.response.allowed, false)
  t.match(message(res), /clear-execution-block is absent or empty/)
})

t.test('Flow 2, trusted controller: the annotation reason follows the reason rules', async (t) => {
  const old = aFailedExecution((w) => annotated(w, 'alice@kubernaut.ai', 'looked at it'))
  const res = statusWrite({ old, object: withClearance({ clearMethod: 'Annotation' }), user: CONTROLLER }, 'both')
  t.equal(res.response.allowed, false)
  t.match(
    message(res),
    /^metadata\.annotations\[kubernaut\.ai\/clear-execution-block\]: Invalid value: "looked at it": clearReason has 3 words, at least 5/,
  )
})

t.test('an untrusted principal writing clearMethod Annotation is attributed from their own userInfo', async (t) => {
  const old = aFailedExecution((w) => annotated(w, 'bob@kubernaut.ai'))
  const object = withClearance({ clearMethod: 'Annotation', clearReason: REASON, clearedBy: 'bob@kubernaut.ai', clearedAt: ANNOTATED_AT })
  const res = statusWrite({ old, object, user: OPERATOR }, 'both')
  t.equal(res.response.allowed, true, message(res))
  const bc = clearanceAfter(object, res)
  t.equal(bc['clearedBy'], 'alice@kubernaut.ai', 'never the -by annotation')
  t.equal(bc['clearedAt'], FIXED_NOW_RFC3339)
  t.match(res.response.warnings, [/attributed to "alice@kubernaut\.ai" from the request, not from annotations/])
  t.equal(res.effects.length, 1)
  t.equal(res.effects[0]?.actor.username, 'alice@kubernaut.ai')
  t.match(res.effects[0], { method: 'Annotation' })

  const direct = statusWrite({ old, object, user: OPERATOR }, 'validate')
  t.equal(direct.response.allowed, false, 'validation alone refuses the impersonation')
  t.match(message(direct), /clearedBy: Forbidden: must be the requesting user "alice@kubernaut\.ai"/)

  const notTrusted = statusWrite(
    { old, object, user: CONTROLLER },
    'both',
    testPolicy({ trustedControllers: ['system:serviceaccount:other:ctrl'] }),
  )
  t.equal(notTrusted.response.allowed, true)
  t.equal(clearanceAfter(object, notTrusted)['clearedBy'], CONTROLLER.username, '--trusted-controllers decides, not the name')
})

t.test('a trusted controller writing clearMethod StatusField is attributed to itself', async (t) => {
  const old = aFailedExecution((w) => annotated(w))
  const object = withClearance({ clearMethod: 'StatusField', clearReason: REASON })
  const res = statusWrite({ old, object, user: CONTROLLER }, 'both')
  t.equal(res.response.allowed, true)
  t.equal(clearanceAfter(object, res)['clearedBy'], CONTROLLER.username)
  t.equal(res.effects.length, 1)
})
