import t from 'tap'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { compilePolicy } from '../../src/policy.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { schemaRules } from '../../src/rules/schema.js'
import { MAX_ERRORS_PER_RULE } from '../../src/rules/field-values.js'
import { specContentRules } from '../../src/rules/spec-content.js'
import { targetResourceRules } from '../../src/rules/target-resource.js'
import { statusEnumRules } from '../../src/rules/status-enums.js'
import { phaseTransitionRules } from '../../src/rules/phase-transitions.js'
import { specImmutableRules } from '../../src/rules/spec-immutable.js'
import { executionTimeoutRules } from '../../src/rules/execution-timeout.js'
import { CONTROLLER, TEST_OPTIONS, aFailedExecution, aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { message, triples, type Triple } from '../helpers/verdict.js'

const policy = testPolicy()
const mutable = (w: WorkflowExecution): Record<string, any> => w

const create = (patch: (w: Record<string, any>) => void): AdmitResult =>
  admit(aRequest({ object: aWorkflowExecution((w) => patch(mutable(w))) }), policy, 'validate')
const statusWrite = (patch: (w: Record<string, any>) => void): AdmitResult => {
  // Stored without failureDetails, so the write that sets them is not refused as a change (failure-details-frozen).
  const old = aFailedExecution((w) => {
    delete w.status?.failureDetails
  })
  return admit(
    aRequest({
      operation: 'UPDATE',
      subResource: 'status',
      userInfo: CONTROLLER,
      oldObject: old,
      object: aFailedExecution((w) => patch(mutable(w))),
    }),
    policy,
    'validate',
  )
}

/** A status with every declared field set to a valid value. */
function fullStatus(w: Record<string, any>): void {
  w.status = {
    observedGeneration: 2,
    phase: 'Failed',
    startTime: '2026-11-25T09:00:00Z',
    completionTime: '2026-11-25T09:05:00.123456+01:00',
    duration: '5m0s',
    executionRef: { name: 'wfe-payment-api-1-run' },
    executionStatus: { status: 'False', reason: 'Failed', message: 'task restart failed', completedTasks: 1, totalTasks: 3 },
    failureReason: 'TaskFailed',
    failureDetails: {
      failedTaskIndex: 1,
      failedTaskName: 'restart',
      failedStepName: 'kubectl',
      reason: 'TaskFailed',
      message: 'exit 1',
      exitCode: 1,
      failedAt: '2026-11-25T09:05:00Z',
      executionTimeBeforeFailure: '4m58s',
      naturalLanguageSummary: 'restart failed',
      wasExecutionFailure: true,
    },
    ephemeralCredentialIDs: [11, 12],
    executionEngine: 'tekton',
    serviceAccountName: 'restart-sa',
    conditions: [
      {
        type: 'TokenTTLInsufficient',
        status: 'False',
        observedGeneration: 2,
        lastTransitionTime: '2026-11-25T09:00:00Z',
        reason: 'TokenTTLSufficient',
        message: 'ok',
      },
    ],
  }
}

t.test('a valid, fully populated object passes every rule on CREATE (both webhooks), main UPDATE and /status UPDATE', async (t) => {
  const object = aWorkflowExecution((w) => {
    w.spec.workflowRef.executionBundleDigest = 'sha256:abc'
    w.spec.workflowRef.engineConfig = { playbookPath: 'site.yml', nested: [1, { x: null }] }
    w.spec.executionConfig = { timeout: '1h30m' }
    w.metadata.annotations = { note: 'n' }
    w.metadata.finalizers = ['kubernaut.ai/cleanup']
    w.metadata.generation = 1
    w.metadata.creationTimestamp = '2026-11-25T09:00:00Z'
  })
  for (const webhook of ['validate', 'mutate', 'both'] as const) {
    const r = admit(aRequest({ object }), policy, webhook)
    t.equal(r.response.allowed, true, webhook)
    t.same(r.violations, [], webhook)
  }
  const upd = admit(aRequest({ operation: 'UPDATE', object, oldObject: object }), policy, 'validate')
  t.same(triples(upd), [])
  const old = aFailedExecution((w) => fullStatus(mutable(w)))
  const status = admit(
    aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, oldObject: old, object: structuredClone(old) }),
    policy,
    'validate',
  )
  t.same(triples(status), [])
  t.equal(status.response.allowed, true)
})

const specCases: { name: string; patch: (w: Record<string, any>) => void; want: Triple[] }[] = [
  {
    name: 'spec missing',
    patch: (w) => {
      delete w.spec
    },
    want: [['schema-spec', 'spec', 'FieldValueRequired']],
  },
  {
    name: 'spec null',
    patch: (w) => {
      w.spec = null
    },
    want: [['schema-spec', 'spec', 'FieldValueRequired']],
  },
  {
    name: 'spec a string',
    patch: (w) => {
      w.spec = 'x'
    },
    want: [['schema-spec', 'spec', 'FieldValueInvalid']],
  },
  {
    name: 'spec an array',
    patch: (w) => {
      w.spec = []
    },
    want: [['schema-spec', 'spec', 'FieldValueInvalid']],
  },
  {
    name: 'remediationRequestRef missing',
    patch: (w) => {
      delete w.spec.remediationRequestRef
    },
    want: [['schema-spec', 'spec.remediationRequestRef', 'FieldValueRequired']],
  },
  {
    name: 'remediationRequestRef an array',
    patch: (w) => {
      w.spec.remediationRequestRef = ['rr']
    },
    want: [['schema-spec', 'spec.remediationRequestRef', 'FieldValueInvalid']],
  },
  {
    name: 'remediationRequestRef.name a number',
    patch: (w) => {
      w.spec.remediationRequestRef.name = 7
    },
    want: [['schema-spec', 'spec.remediationRequestRef.name', 'FieldValueInvalid']],
  },
  {
    name: 'remediationRequestRef.uid an object',
    patch: (w) => {
      w.spec.remediationRequestRef.uid = {}
    },
    want: [['schema-spec', 'spec.remediationRequestRef.uid', 'FieldValueInvalid']],
  },
  {
    name: 'workflowRef missing',
    patch: (w) => {
      delete w.spec.workflowRef
    },
    want: [['schema-spec', 'spec.workflowRef', 'FieldValueRequired']],
  },
  {
    name: 'workflowRef a string',
    patch: (w) => {
      w.spec.workflowRef = 'restart'
    },
    want: [['schema-spec', 'spec.workflowRef', 'FieldValueInvalid']],
  },
  {
    name: 'workflowId missing',
    patch: (w) => {
      delete w.spec.workflowRef.workflowId
    },
    want: [['schema-spec', 'spec.workflowRef.workflowId', 'FieldValueRequired']],
  },
  {
    name: 'version null',
    patch: (w) => {
      w.spec.workflowRef.version = null
    },
    want: [['schema-spec', 'spec.workflowRef.version', 'FieldValueRequired']],
  },
  {
    name: 'executionBundle a number',
    patch: (w) => {
      w.spec.workflowRef.executionBundle = 1
    },
    want: [['schema-spec', 'spec.workflowRef.executionBundle', 'FieldValueInvalid']],
  },
  {
    name: 'executionBundleDigest a boolean',
    patch: (w) => {
      w.spec.workflowRef.executionBundleDigest = true
    },
    want: [['schema-spec', 'spec.workflowRef.executionBundleDigest', 'FieldValueInvalid']],
  },
  {
    name: 'targetResource missing',
    patch: (w) => {
      delete w.spec.targetResource
    },
    want: [['schema-spec', 'spec.targetResource', 'FieldValueRequired']],
  },
  {
    name: 'targetResource a list',
    patch: (w) => {
      w.spec.targetResource = ['payment', 'Deployment', 'api']
    },
    want: [['schema-spec', 'spec.targetResource', 'FieldValueInvalid']],
  },
  {
    name: 'parameters an array',
    patch: (w) => {
      w.spec.parameters = ['A']
    },
    want: [['schema-spec', 'spec.parameters', 'FieldValueInvalid']],
  },
  {
    name: 'a parameter value a number',
    patch: (w) => {
      w.spec.parameters.REPLICAS = 3
    },
    want: [['schema-spec', 'spec.parameters[REPLICAS]', 'FieldValueInvalid']],
  },
  {
    name: 'a parameter value null',
    patch: (w) => {
      w.spec.parameters.REPLICAS = null
    },
    want: [['schema-spec', 'spec.parameters[REPLICAS]', 'FieldValueInvalid']],
  },
  {
    name: 'confidence a string',
    patch: (w) => {
      w.spec.confidence = '0.9'
    },
    want: [['schema-spec', 'spec.confidence', 'FieldValueInvalid']],
  },
  {
    name: 'confidence a boolean',
    patch: (w) => {
      w.spec.confidence = true
    },
    want: [['schema-spec', 'spec.confidence', 'FieldValueInvalid']],
  },
  {
    name: 'rationale an object',
    patch: (w) => {
      w.spec.rationale = { why: 'x' }
    },
    want: [['schema-spec', 'spec.rationale', 'FieldValueInvalid']],
  },
  {
    name: 'executionConfig a string',
    patch: (w) => {
      w.spec.executionConfig = '30m'
    },
    want: [['schema-spec', 'spec.executionConfig', 'FieldValueInvalid']],
  },
  {
    name: 'executionConfig.timeout a number',
    patch: (w) => {
      w.spec.executionConfig = { timeout: 1800 }
    },
    want: [['schema-spec', 'spec.executionConfig.timeout', 'FieldValueInvalid']],
  },
  {
    name: 'metadata.labels value a number',
    patch: (w) => {
      w.metadata.labels = { tier: 1 }
    },
    want: [['schema-metadata', 'metadata.labels[tier]', 'FieldValueInvalid']],
  },
  {
    name: 'metadata.annotations an array',
    patch: (w) => {
      w.metadata.annotations = ['a']
    },
    want: [['schema-metadata', 'metadata.annotations', 'FieldValueInvalid']],
  },
  {
    name: 'metadata.finalizers a string',
    patch: (w) => {
      w.metadata.finalizers = 'kubernaut.ai/cleanup'
    },
    want: [['schema-metadata', 'metadata.finalizers', 'FieldValueInvalid']],
  },
  {
    name: 'metadata.finalizers[1] a number',
    patch: (w) => {
      w.metadata.finalizers = ['a', 2]
    },
    want: [['schema-metadata', 'metadata.finalizers[1]', 'FieldValueInvalid']],
  },
  {
    name: 'metadata.generation not whole',
    patch: (w) => {
      w.metadata.generation = 1.5
    },
    want: [['schema-metadata', 'metadata.generation', 'FieldValueInvalid']],
  },
  {
    name: 'metadata.name a number',
    patch: (w) => {
      w.metadata.name = 5
    },
    want: [['schema-metadata', 'metadata.name', 'FieldValueInvalid']],
  },
  {
    name: 'metadata.deletionTimestamp not RFC 3339',
    patch: (w) => {
      w.metadata.deletionTimestamp = 'tomorrow'
    },
    want: [['schema-metadata', 'metadata.deletionTimestamp', 'FieldValueInvalid']],
  },
  {
    name: 'unknown spec field (pruned by the apiserver, not an error)',
    patch: (w) => {
      w.spec.extra = 5
    },
    want: [],
  },
  {
    name: 'engineConfig holds anything',
    patch: (w) => {
      w.spec.workflowRef.engineConfig = [1, 'two', { three: null }]
    },
    want: [],
  },
  {
    name: 'confidence absent',
    patch: (w) => {
      delete w.spec.confidence
    },
    want: [],
  },
]

t.test('spec and metadata types on CREATE', async (t) => {
  for (const c of specCases) t.same(triples(create(c.patch)), c.want, c.name)
})

t.test('spec and metadata types on UPDATE of the main resource', async (t) => {
  for (const c of specCases) {
    const object = aWorkflowExecution((w) => c.patch(mutable(w)))
    const r = admit(aRequest({ operation: 'UPDATE', object, oldObject: aWorkflowExecution() }), policy, 'validate')
    // The bad value is new in this write (an unchanged one is ratcheted: test/admission/ratchet.test.ts);
    // spec-immutable and metadata-immutable also object to the change, and are not what this tests.
    t.same(
      triples(r).filter(([o]) => o.startsWith('schema-')),
      c.want,
      c.name,
    )
  }
})

const statusCases: { name: string; patch: (w: Record<string, any>) => void; want: Triple[] }[] = [
  {
    name: 'observedGeneration a string',
    patch: (w) => {
      w.status.observedGeneration = '3'
    },
    want: [['schema-status', 'status.observedGeneration', 'FieldValueInvalid']],
  },
  {
    name: 'observedGeneration not whole',
    patch: (w) => {
      w.status.observedGeneration = 2.5
    },
    want: [['schema-status', 'status.observedGeneration', 'FieldValueInvalid']],
  },
  {
    name: 'phase a number',
    patch: (w) => {
      w.status.phase = 4
    },
    want: [['schema-status', 'status.phase', 'FieldValueInvalid']],
  },
  {
    name: 'startTime not RFC 3339',
    patch: (w) => {
      w.status.startTime = '25/11/2026'
    },
    want: [['schema-status', 'status.startTime', 'FieldValueInvalid']],
  },
  {
    name: 'completionTime with a bad month',
    patch: (w) => {
      w.status.completionTime = '2026-13-25T09:05:00Z'
    },
    want: [['schema-status', 'status.completionTime', 'FieldValueInvalid']],
  },
  {
    name: 'duration a number',
    patch: (w) => {
      w.status.duration = 300
    },
    want: [['schema-status', 'status.duration', 'FieldValueInvalid']],
  },
  {
    name: 'executionRef.name a number',
    patch: (w) => {
      w.status.executionRef = { name: 1 }
    },
    want: [['schema-status', 'status.executionRef.name', 'FieldValueInvalid']],
  },
  {
    name: 'executionStatus without status',
    patch: (w) => {
      w.status.executionStatus = { reason: 'Running' }
    },
    want: [['schema-status', 'status.executionStatus.status', 'FieldValueRequired']],
  },
  {
    name: 'executionStatus.completedTasks not whole',
    patch: (w) => {
      w.status.executionStatus = { status: 'True', completedTasks: 2.5 }
    },
    want: [['schema-status', 'status.executionStatus.completedTasks', 'FieldValueInvalid']],
  },
  {
    name: 'failureDetails without reason',
    patch: (w) => {
      delete w.status.failureDetails.reason
    },
    want: [['schema-status', 'status.failureDetails.reason', 'FieldValueRequired']],
  },
  {
    name: 'failureDetails.failedTaskIndex a string',
    patch: (w) => {
      w.status.failureDetails.failedTaskIndex = '1'
    },
    want: [['schema-status', 'status.failureDetails.failedTaskIndex', 'FieldValueInvalid']],
  },
  {
    name: 'failureDetails.exitCode beyond int32',
    patch: (w) => {
      w.status.failureDetails.exitCode = 2 ** 31
    },
    want: [['schema-status', 'status.failureDetails.exitCode', 'FieldValueInvalid']],
  },
  {
    name: 'failureDetails.exitCode at int32 max',
    patch: (w) => {
      w.status.failureDetails.exitCode = 2 ** 31 - 1
    },
    want: [],
  },
  {
    name: 'failureDetails.wasExecutionFailure a string',
    patch: (w) => {
      w.status.failureDetails.wasExecutionFailure = 'yes'
    },
    want: [['schema-status', 'status.failureDetails.wasExecutionFailure', 'FieldValueInvalid']],
  },
  {
    name: 'failureDetails an array',
    patch: (w) => {
      w.status.failureDetails = []
    },
    want: [['schema-status', 'status.failureDetails', 'FieldValueInvalid']],
  },
  {
    name: 'ephemeralCredentialIDs with a string',
    patch: (w) => {
      w.status.ephemeralCredentialIDs = [1, 'two']
    },
    want: [['schema-status', 'status.ephemeralCredentialIDs[1]', 'FieldValueInvalid']],
  },
  {
    name: 'ephemeralCredentialIDs an object',
    patch: (w) => {
      w.status.ephemeralCredentialIDs = { a: 1 }
    },
    want: [['schema-status', 'status.ephemeralCredentialIDs', 'FieldValueInvalid']],
  },
  {
    name: 'executionEngine a boolean',
    patch: (w) => {
      w.status.executionEngine = true
    },
    want: [['schema-status', 'status.executionEngine', 'FieldValueInvalid']],
  },
  {
    name: 'serviceAccountName a number',
    patch: (w) => {
      w.status.serviceAccountName = 1
    },
    want: [['schema-status', 'status.serviceAccountName', 'FieldValueInvalid']],
  },
  {
    name: 'conditions an object',
    patch: (w) => {
      w.status.conditions = { type: 'A' }
    },
    want: [['schema-status', 'status.conditions', 'FieldValueInvalid']],
  },
  {
    name: 'conditions[0] a string',
    patch: (w) => {
      w.status.conditions = ['Ready']
    },
    want: [['schema-status', 'status.conditions[0]', 'FieldValueInvalid']],
  },
  {
    name: 'conditions[0] without type and reason',
    patch: (w) => {
      w.status.conditions = [{ status: 'True', lastTransitionTime: '2026-11-25T09:00:00Z', message: 'm' }]
    },
    want: [
      ['schema-status', 'status.conditions[0].type', 'FieldValueRequired'],
      ['schema-status', 'status.conditions[0].reason', 'FieldValueRequired'],
    ],
  },
  {
    name: 'status a string',
    patch: (w) => {
      w.status = 'Failed'
    },
    want: [['schema-status', 'status', 'FieldValueInvalid']],
  },
]

t.test('status types on UPDATE of /status', async (t) => {
  for (const c of statusCases) {
    const r = statusWrite(c.patch)
    t.same(
      triples(r).filter(([o]) => o === 'schema-status'),
      c.want,
      c.name,
    )
    t.equal(r.response.allowed, c.want.length === 0, `${c.name}: verdict`)
  }
})

t.test('status types are not judged on CREATE or main-resource UPDATE (the apiserver ignores status there)', async (t) => {
  const object = aWorkflowExecution((w) => {
    mutable(w).status = { phase: 4, conditions: 'x' }
  })
  t.same(triples(admit(aRequest({ object }), policy, 'validate')), [])
  t.same(triples(admit(aRequest({ operation: 'UPDATE', object, oldObject: object }), policy, 'validate')), [])
})

t.test('golden messages', async (t) => {
  t.equal(
    message(
      create((w) => {
        w.spec.confidence = '0.9'
      }),
    ),
    'spec.confidence: Invalid value: "string": must be of type number',
  )
  t.equal(
    message(
      create((w) => {
        delete w.spec.workflowRef.workflowId
      }),
    ),
    'spec.workflowRef.workflowId: Required value',
  )
  t.equal(
    message(
      create((w) => {
        w.spec.parameters = { REPLICAS: 3 }
      }),
    ),
    'spec.parameters[REPLICAS]: Invalid value: "integer": must be of type string',
  )
  t.equal(
    message(
      statusWrite((w) => {
        w.status.startTime = 'yesterday'
      }),
    ),
    'status.startTime: Invalid value: "yesterday": must be an RFC 3339 date-time such as 2026-11-25T10:20:30Z',
  )
})

t.test('a flood of bad values is reported up to the cap, not one error per value', async (t) => {
  const r = create((w) => {
    w.spec.parameters = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`P${i}`, i]))
  })
  t.equal(triples(r).filter(([o]) => o === 'schema-spec').length, MAX_ERRORS_PER_RULE)
})

// In CI (`check`) nothing validates the schema before the other rules run, so every family must
// cope with any JSON in any field: a verdict, never a 500 or an InternalError.
t.test('hostile types never make any of these families throw or report an internal error', async (t) => {
  const rules = [
    ...schemaRules,
    ...specImmutableRules,
    ...specContentRules,
    ...targetResourceRules,
    ...statusEnumRules,
    ...phaseTransitionRules,
    ...executionTimeoutRules,
  ]
  const own = compilePolicy(TEST_OPTIONS, [], rules)
  const odd: unknown[] = [null, 0, 1.5, -1, true, '', 'x', [], [null], [1, 'a'], {}, { a: null }, { '': [] }]
  const paths = [
    ['spec'],
    ['spec', 'remediationRequestRef'],
    ['spec', 'remediationRequestRef', 'name'],
    ['spec', 'workflowRef'],
    ['spec', 'workflowRef', 'workflowId'],
    ['spec', 'workflowRef', 'version'],
    ['spec', 'workflowRef', 'executionBundle'],
    ['spec', 'targetResource'],
    ['spec', 'parameters'],
    ['spec', 'confidence'],
    ['spec', 'executionConfig'],
    ['spec', 'executionConfig', 'timeout'],
    ['metadata', 'labels'],
    ['status'],
    ['status', 'phase'],
    ['status', 'executionEngine'],
    ['status', 'serviceAccountName'],
    ['status', 'failureDetails'],
    ['status', 'failureDetails', 'reason'],
    ['status', 'blockClearance'],
    ['status', 'blockClearance', 'clearMethod'],
    ['status', 'executionStatus'],
    ['status', 'executionStatus', 'status'],
    ['status', 'conditions'],
  ]
  let runs = 0
  const faults: string[] = []
  for (const path of paths) {
    for (const value of odd) {
      const object = aFailedExecution((w) => {
        w.status!.serviceAccountName = 'sa'
      }) as unknown as Record<string, any>
      let holder = object
      for (const key of path.slice(0, -1)) holder = holder[key] ??= {}
      holder[path[path.length - 1] as string] = value
      // One counterpart with every status field set, one with no status at all.
      const counterparts = [
        aFailedExecution((w) => {
          w.status!.phase = 'Running'
          w.status!.serviceAccountName = 'sa'
        }),
        aWorkflowExecution(),
      ]
      const requests = [aRequest({ object })]
      for (const pristine of counterparts) {
        requests.push(
          aRequest({ operation: 'UPDATE', object, oldObject: pristine }),
          aRequest({ operation: 'UPDATE', object: pristine, oldObject: object }),
          aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, object, oldObject: pristine }),
          aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, object: pristine, oldObject: object }),
        )
      }
      for (const req of requests) {
        const r = admit(req, own, 'both')
        runs++
        const label = `${path.join('.')} = ${JSON.stringify(value)} (${req.operation}${req.subResource ? '/status' : ''})`
        if (r.response.status?.code === 500 || r.violations.some((v) => v.error.type === 'InternalError'))
          faults.push(`${label}: ${message(r)}`)
      }
    }
  }
  t.same(faults, [])
  t.equal(runs, paths.length * odd.length * 9)
})
