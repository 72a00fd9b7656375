import t from 'tap'
import { CRD_OPEN_API_SCHEMA } from '../../src/api/crd-schema.generated.js'
import { STATUS_ENUMS } from '../../src/rules/status-enums.js'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { CLEAR_METHODS, CONDITION_STATUSES, EXECUTION_ENGINES, FAILURE_REASONS, PHASES } from '../../src/api/workflowexecution.js'
import { CONTROLLER, aFailedExecution, aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { message, triples } from '../helpers/verdict.js'

const policy = testPolicy()
type Patch = (s: Record<string, any>) => void

/**
 * A /status write whose stored object holds the same status minus the values under test that are
 * not valid enum members: transitions and immutability are then satisfied, only the enum under test
 * can object, and the bad value is new in this write (an unchanged one is ratcheted; see
 * test/admission/ratchet.test.ts).
 */
function statusWrite(patch: Patch): AdmitResult {
  const object = aFailedExecution((w) => patch(w.status as unknown as Record<string, any>))
  const oldObject = structuredClone(object)
  scrub(oldObject.status as unknown as Record<string, any>)
  // Stored without failureDetails, so setting them is not refused as a change (failure-details-frozen).
  delete oldObject.status?.failureDetails
  return admit(aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, object, oldObject }), policy, 'validate')
}

function scrub(s: Record<string, any>): void {
  const drop = (holder: Record<string, any> | undefined, leaf: string, values: readonly string[]): void => {
    if (holder !== null && typeof holder === 'object' && leaf in holder && !values.includes(holder[leaf])) delete holder[leaf]
  }
  for (const parent of ['failureDetails', 'blockClearance', 'executionStatus']) {
    if (parent in s && (s[parent] === null || typeof s[parent] !== 'object' || Array.isArray(s[parent]))) delete s[parent]
  }
  drop(s, 'phase', PHASES)
  drop(s, 'executionEngine', EXECUTION_ENGINES)
  drop(s.failureDetails, 'reason', FAILURE_REASONS)
  drop(s.blockClearance, 'clearMethod', CLEAR_METHODS)
  drop(s.executionStatus, 'status', CONDITION_STATUSES)
  if (Array.isArray(s.conditions)) for (const c of s.conditions) drop(c, 'status', CONDITION_STATUSES)
}

const condition = (status: unknown, type = 'Ready'): Record<string, unknown> => ({
  type,
  status,
  lastTransitionTime: '2026-11-25T09:00:00Z',
  reason: 'Checked',
  message: 'm',
})

interface EnumCase {
  rule: string
  field: string
  values: readonly string[]
  set: (s: Record<string, any>, v: unknown) => void
  bad: string[]
}

const enums: EnumCase[] = [
  {
    rule: 'status-phase-enum',
    field: 'status.phase',
    values: PHASES,
    set: (s, v) => {
      s.phase = v
    },
    bad: ['Skipped', 'pending', 'RUNNING', ''],
  },
  {
    rule: 'failure-reason-enum',
    field: 'status.failureDetails.reason',
    values: FAILURE_REASONS,
    set: (s, v) => {
      s.failureDetails.reason = v
    },
    bad: ['Crashed', 'oomkilled', ''],
  },
  {
    rule: 'clear-method-enum',
    field: 'status.blockClearance.clearMethod',
    values: CLEAR_METHODS,
    set: (s, v) => {
      s.blockClearance = {
        clearedBy: 'alice@kubernaut.ai',
        clearedAt: '2026-11-25T10:00:00Z',
        clearReason: 'investigated the cluster state and it is safe',
        clearMethod: v,
      }
    },
    bad: ['Manual', 'annotation', ''],
  },
  {
    rule: 'condition-status-enum',
    field: 'status.conditions[0].status',
    values: CONDITION_STATUSES,
    set: (s, v) => {
      s.conditions = [condition(v)]
    },
    bad: ['Maybe', 'true', ''],
  },
]

t.test('the seed declares the values these tests walk', async (t) => {
  t.same(PHASES, ['Pending', 'Running', 'Completed', 'Failed'])
  t.equal(FAILURE_REASONS.length, 9)
  t.same(CLEAR_METHODS, ['Annotation', 'APIEndpoint', 'StatusField'])
  t.same(CONDITION_STATUSES, ['True', 'False', 'Unknown'])
  t.same(EXECUTION_ENGINES, ['tekton', 'job', 'ansible'])
})

for (const e of enums) {
  t.test(`${e.rule}: every value allowed, others unsupported`, async (t) => {
    for (const v of e.values) {
      const r = statusWrite((s) => e.set(s, v))
      t.same(
        triples(r).filter(([o]) => o.endsWith('-enum')),
        [],
        `${v} allowed by the enum rules`,
      )
    }
    for (const v of e.bad) {
      const r = statusWrite((s) => e.set(s, v))
      t.same(
        triples(r).filter(([o]) => o.endsWith('-enum')),
        [[e.rule, e.field, 'FieldValueNotSupported']],
        `${JSON.stringify(v)} unsupported`,
      )
      t.equal(r.response.allowed, false)
      t.match(
        message(r),
        `${e.field}: Unsupported value: ${JSON.stringify(v)}: supported values: ${e.values.map((x) => JSON.stringify(x)).join(', ')}`,
      )
    }
  })
}

t.test('enum values on the stock objects pass every rule', async (t) => {
  for (const e of enums.filter((x) => x.rule !== 'clear-method-enum')) {
    for (const v of e.values) {
      const r = statusWrite((s) => e.set(s, v))
      t.same(triples(r), [], `${e.field} = ${v}`)
    }
  }
})

t.test('golden messages', async (t) => {
  t.equal(
    message(
      statusWrite((s) => {
        s.phase = 'Skipped'
      }),
    ),
    'status.phase: Unsupported value: "Skipped": supported values: "Pending", "Running", "Completed", "Failed"',
  )
  t.equal(
    message(
      statusWrite((s) => {
        s.failureDetails.reason = 'Crashed'
      }),
    ),
    'status.failureDetails.reason: Unsupported value: "Crashed": supported values: "OOMKilled", "DeadlineExceeded", "Forbidden", "ResourceExhausted", "ConfigurationError", "ImagePullBackOff", "TaskFailed", "UnsupportedEngine", "Unknown"',
  )
})

// The seed lists these values in comments only (no enum marker): the controller stores what the
// catalog or the execution resource says, and an unknown engine is what UnsupportedEngine reports.
const known: EnumCase[] = [
  {
    rule: 'execution-status-known',
    field: 'status.executionStatus.status',
    values: CONDITION_STATUSES,
    set: (s, v) => {
      s.executionStatus = { status: v, reason: 'Failed' }
    },
    bad: ['Yes', 'true'],
  },
  {
    rule: 'execution-engine-known',
    field: 'status.executionEngine',
    values: EXECUTION_ENGINES,
    set: (s, v) => {
      s.executionEngine = v
    },
    bad: ['Tekton', 'argo'],
  },
]

for (const e of known) {
  t.test(`${e.rule}: an unknown value is allowed with a warning`, async (t) => {
    for (const v of e.values) t.same(triples(statusWrite((s) => e.set(s, v))), [], `${v}: no warning`)
    for (const v of e.bad) {
      const r = statusWrite((s) => e.set(s, v))
      t.equal(r.response.allowed, true, `${v} allowed`)
      t.same(triples(r), [[e.rule, e.field, 'FieldValueNotSupported']], `${v} warned`)
      t.same(r.response.warnings, [
        `${e.field}: Unsupported value: ${JSON.stringify(v)}: supported values: ${e.values.map((x) => JSON.stringify(x)).join(', ')}`,
      ])
    }
    t.same(triples(statusWrite((s) => e.set(s, ''))), [], 'an empty string is no engine at all: no warning')
  })
}

t.test('the controller can record an engine it does not support, and the failure that follows', async (t) => {
  const r = statusWrite((s) => {
    s.executionEngine = 'argo'
    s.failureDetails.reason = 'UnsupportedEngine'
  })
  t.equal(r.response.allowed, true)
  t.same(triples(r), [['execution-engine-known', 'status.executionEngine', 'FieldValueNotSupported']])
})

t.test('every bad condition is reported at its own index', async (t) => {
  const r = statusWrite((s) => {
    s.conditions = [condition('True', 'A'), condition('Maybe', 'B'), condition('False', 'C'), condition('yes', 'D')]
  })
  t.same(triples(r), [
    ['condition-status-enum', 'status.conditions[1].status', 'FieldValueNotSupported'],
    ['condition-status-enum', 'status.conditions[3].status', 'FieldValueNotSupported'],
  ])
  t.equal(r.violations[1]?.error.value, 'yes')
})

t.test("wrong JSON types are schema-status's, not the enum rules'", async (t) => {
  const cases: [Patch, string][] = [
    [
      (s) => {
        s.phase = 3
      },
      'status.phase',
    ],
    [
      (s) => {
        s.executionEngine = ['tekton']
      },
      'status.executionEngine',
    ],
    [
      (s) => {
        s.failureDetails.reason = false
      },
      'status.failureDetails.reason',
    ],
    [
      (s) => {
        s.conditions = [condition(1)]
      },
      'status.conditions[0].status',
    ],
  ]
  for (const [patch, field] of cases) {
    t.same(
      triples(statusWrite(patch)).filter(([, f]) => f === field),
      [['schema-status', field, 'FieldValueInvalid']],
      field,
    )
  }
  const parentWrong = statusWrite((s) => {
    s.executionStatus = 'True'
  })
  t.same(triples(parentWrong), [['schema-status', 'status.executionStatus', 'FieldValueInvalid']])
})

t.test('status enums are judged on /status writes only', async (t) => {
  const object = aWorkflowExecution((w) => {
    w.status = { phase: 'Skipped' as never, executionEngine: 'argo' }
  })
  t.same(triples(admit(aRequest({ object }), policy, 'validate')), [], 'CREATE: the apiserver drops status')
  t.same(
    triples(admit(aRequest({ operation: 'UPDATE', object, oldObject: object }), policy, 'validate')),
    [],
    'main UPDATE: the apiserver ignores status',
  )
})

t.test("the enum rules read the CRD's own lists: a value added to the CRD (and `npm run generate`) needs no other edit", async (t) => {
  const status = CRD_OPEN_API_SCHEMA.properties.status.properties
  const fromCrd: Record<string, readonly string[]> = {
    'status-phase-enum': status.phase.enum,
    'failure-reason-enum': status.failureDetails.properties.reason.enum,
    'clear-method-enum': status.blockClearance.properties.clearMethod.enum,
  }
  for (const row of STATUS_ENUMS.filter((r) => r.severity === 'deny')) {
    t.equal(row.values, fromCrd[row.id], `${row.id} holds the CRD's array itself, not a copy`)
    for (const v of row.values) t.ok(row.description.includes(v), `${row.id}'s description names ${v}`)
  }
  t.equal(CONDITION_STATUSES, status.conditions.items.properties.status.enum)
})
