import t from 'tap'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { PHASES, type Phase, type WorkflowExecution } from '../../src/api/workflowexecution.js'
import { CONTROLLER, aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { message, triples } from '../helpers/verdict.js'

const policy = testPolicy()
type StatusPatch = (s: Record<string, any>) => void

/** A bare execution with just the status fields a test sets; no failure details to trip other rules. */
const withStatus = (patch: StatusPatch): WorkflowExecution =>
  aWorkflowExecution((w) => {
    const s: Record<string, any> = {}
    patch(s)
    w.status = s as WorkflowExecution['status']
  })

function statusWrite(before: StatusPatch, after: StatusPatch, onStatus = true): AdmitResult {
  const req = aRequest({
    operation: 'UPDATE',
    userInfo: CONTROLLER,
    oldObject: withStatus(before),
    object: withStatus(after),
    ...(onStatus ? { subResource: 'status' } : {}),
  })
  return admit(req, policy, 'validate')
}

const setPhase =
  (p: Phase | undefined): StatusPatch =>
  (s) => {
    if (p !== undefined) s.phase = p
  }

/** The lifecycle from the issue, written out pair by pair so the table is not derived from the code. */
const ALLOWED = new Set([
  '->Pending',
  '->Running',
  '->Failed',
  'Pending->Pending',
  'Pending->Running',
  'Pending->Failed',
  'Running->Running',
  'Running->Completed',
  'Running->Failed',
  'Completed->Completed',
  'Failed->Failed',
])

t.test('every phase pair (unset and the four phases, to each phase)', async (t) => {
  let pairs = 0
  for (const from of [undefined, ...PHASES]) {
    for (const to of PHASES) {
      const key = `${from ?? ''}->${to}`
      const r = statusWrite(setPhase(from), setPhase(to))
      pairs++
      if (ALLOWED.has(key)) {
        t.same(triples(r), [], `${key} allowed`)
        t.equal(r.response.allowed, true, `${key} verdict`)
      } else {
        t.same(triples(r), [['phase-transition', 'status.phase', 'FieldValueInvalid']], `${key} denied`)
        t.equal(r.violations[0]?.error.value, to, `${key}: the error shows the new phase`)
        t.match(message(r), new RegExp(`cannot move from ${from ?? 'unset'} to ${to}`), `${key}: names both phases`)
      }
    }
  }
  t.equal(pairs, 20)
  t.same(triples(statusWrite(setPhase(undefined), setPhase(undefined))), [], 'unset -> unset allowed')
})

t.test('golden messages list the allowed next phases', async (t) => {
  t.equal(
    message(statusWrite(setPhase('Running'), setPhase('Pending'))),
    'status.phase: Invalid value: "Pending": phase cannot move from Running to Pending; allowed next phases from Running: Completed, Failed',
  )
  t.equal(
    message(statusWrite(setPhase(undefined), setPhase('Completed'))),
    'status.phase: Invalid value: "Completed": phase cannot move from unset to Completed; allowed next phases from unset: Pending, Running, Failed',
  )
  t.equal(
    message(statusWrite(setPhase('Completed'), setPhase('Running'))),
    'status.phase: Invalid value: "Running": phase cannot move from Completed to Running; Completed is terminal: no next phase is allowed',
  )
  t.equal(
    message(statusWrite(setPhase('Failed'), setPhase('Pending'))),
    'status.phase: Invalid value: "Pending": phase cannot move from Failed to Pending; Failed is terminal: no next phase is allowed',
  )
})

t.test('a phase, once set, cannot be removed', async (t) => {
  for (const from of PHASES) {
    const removals: [string, StatusPatch][] = [
      ['deleted', () => {}],
      [
        'emptied',
        (s) => {
          s.phase = ''
        },
      ],
      [
        'nulled',
        (s) => {
          s.phase = null
        },
      ],
    ]
    for (const [how, after] of removals) {
      const r = statusWrite(setPhase(from), after)
      t.same(
        triples(r).filter(([o]) => o !== 'status-phase-enum'),
        [['phase-not-removed', 'status.phase', 'FieldValueForbidden']],
        `${from} ${how}`,
      )
    }
  }
  const wholeStatus = admit(
    aRequest({
      operation: 'UPDATE',
      subResource: 'status',
      userInfo: CONTROLLER,
      oldObject: withStatus(setPhase('Running')),
      object: aWorkflowExecution(),
    }),
    policy,
    'validate',
  )
  t.same(triples(wholeStatus), [['phase-not-removed', 'status.phase', 'FieldValueForbidden']], 'status removed altogether')
  t.equal(message(wholeStatus), 'status.phase: Forbidden: phase cannot be removed once set (was "Running")')
  t.same(
    triples(
      statusWrite(
        (s) => {
          s.phase = ''
        },
        () => {},
      ),
    ),
    [],
    'an empty stored phase counts as unset',
  )
})

for (const [rule, leaf, first, second] of [
  ['execution-engine-immutable', 'executionEngine', 'tekton', 'job'],
  ['service-account-name-immutable', 'serviceAccountName', 'restart-sa', 'cluster-admin'],
] as const) {
  t.test(`${leaf} is immutable once set`, async (t) => {
    const set =
      (v: unknown): StatusPatch =>
      (s) => {
        s.phase = 'Running'
        if (v !== undefined) s[leaf] = v
      }
    const cases: [string, unknown, unknown, boolean][] = [
      ['unset -> set', undefined, first, true],
      ['empty -> set', '', first, true],
      ['set -> same', first, first, true],
      ['unset -> unset', undefined, undefined, true],
      ['set -> other', first, second, false],
      ['set -> removed', first, undefined, false],
      ['set -> empty', first, '', false],
      ['set -> null', first, null, false],
    ]
    for (const [name, before, after, ok] of cases) {
      const r = statusWrite(set(before), set(after))
      const mine = triples(r).filter(([o]) => o === rule)
      t.same(mine, ok ? [] : [[rule, `status.${leaf}`, 'FieldValueForbidden']], name)
    }
    t.equal(message(statusWrite(set(first), set(second))), `status.${leaf}: Forbidden: ${leaf} is immutable once set (was "${first}")`)
  })
}

t.test('transitions and immutability are judged on /status writes only', async (t) => {
  const r = statusWrite(
    (s) => {
      s.phase = 'Completed'
      s.executionEngine = 'tekton'
    },
    (s) => {
      s.phase = 'Pending'
      s.executionEngine = 'job'
    },
    false,
  )
  t.same(triples(r), [], 'main-resource UPDATE: the apiserver ignores status changes')
})

t.test('an unjudgeable stored or new phase is left to the enum and schema rules', async (t) => {
  t.same(
    triples(
      statusWrite((s) => {
        s.phase = 'Skipped'
      }, setPhase('Pending')),
    ),
    [],
    'stored phase outside the enum',
  )
  t.same(
    triples(
      statusWrite(setPhase('Completed'), (s) => {
        s.phase = 'Bogus'
      }),
    ),
    [['status-phase-enum', 'status.phase', 'FieldValueNotSupported']],
  )
  t.same(
    triples(
      statusWrite(setPhase('Completed'), (s) => {
        s.phase = 7
      }),
    ),
    [['schema-status', 'status.phase', 'FieldValueInvalid']],
  )
  t.same(
    triples(
      statusWrite((s) => {
        s.phase = 7
        s.executionEngine = ['x']
      }, setPhase('Running')),
    ),
    [],
    'stored values of the wrong type',
  )
})
