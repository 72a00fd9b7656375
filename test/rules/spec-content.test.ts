import t from 'tap'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { MAX_ERRORS_PER_RULE } from '../../src/rules/field-values.js'
import { aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { message, triples, type Triple } from '../helpers/verdict.js'

const policy = testPolicy()
const create = (patch: (w: Record<string, any>) => void, webhook: 'validate' | 'both' = 'validate'): AdmitResult =>
  admit(aRequest({ object: aWorkflowExecution((w) => patch(w)) }), policy, webhook)

t.test('the valid object from the helpers passes with no warnings', async (t) => {
  const r = create(() => {})
  t.equal(r.response.allowed, true)
  t.same(r.violations, [])
  t.equal(r.response.warnings, undefined)
})

t.test('required non-empty references', async (t) => {
  const cases: { name: string; patch: (w: Record<string, any>) => void; want: Triple[] }[] = [
    {
      name: 'remediationRequestRef.name empty',
      patch: (w) => {
        w.spec.remediationRequestRef.name = ''
      },
      want: [['remediation-request-name-required', 'spec.remediationRequestRef.name', 'FieldValueRequired']],
    },
    {
      name: 'remediationRequestRef.name blank',
      patch: (w) => {
        w.spec.remediationRequestRef.name = '  \t'
      },
      want: [['remediation-request-name-required', 'spec.remediationRequestRef.name', 'FieldValueRequired']],
    },
    {
      name: 'remediationRequestRef.name missing',
      patch: (w) => {
        delete w.spec.remediationRequestRef.name
      },
      want: [['remediation-request-name-required', 'spec.remediationRequestRef.name', 'FieldValueRequired']],
    },
    {
      name: 'remediationRequestRef.name null',
      patch: (w) => {
        w.spec.remediationRequestRef.name = null
      },
      want: [['remediation-request-name-required', 'spec.remediationRequestRef.name', 'FieldValueRequired']],
    },
    {
      name: 'remediationRequestRef empty object',
      patch: (w) => {
        w.spec.remediationRequestRef = {}
      },
      want: [['remediation-request-name-required', 'spec.remediationRequestRef.name', 'FieldValueRequired']],
    },
    {
      name: 'workflowId empty',
      patch: (w) => {
        w.spec.workflowRef.workflowId = ''
      },
      want: [['workflow-id-required', 'spec.workflowRef.workflowId', 'FieldValueRequired']],
    },
    {
      name: 'version empty',
      patch: (w) => {
        w.spec.workflowRef.version = ''
      },
      want: [['workflow-version-required', 'spec.workflowRef.version', 'FieldValueRequired']],
    },
    {
      name: 'version blank',
      patch: (w) => {
        w.spec.workflowRef.version = ' '
      },
      want: [['workflow-version-required', 'spec.workflowRef.version', 'FieldValueRequired']],
    },
    {
      name: 'executionBundle empty',
      patch: (w) => {
        w.spec.workflowRef.executionBundle = ''
      },
      want: [['execution-bundle-required', 'spec.workflowRef.executionBundle', 'FieldValueRequired']],
    },
    {
      name: 'all four empty: one error each',
      patch: (w) => {
        w.spec.remediationRequestRef.name = ''
        w.spec.workflowRef = { workflowId: '', version: '', executionBundle: '' }
      },
      want: [
        ['remediation-request-name-required', 'spec.remediationRequestRef.name', 'FieldValueRequired'],
        ['workflow-id-required', 'spec.workflowRef.workflowId', 'FieldValueRequired'],
        ['workflow-version-required', 'spec.workflowRef.version', 'FieldValueRequired'],
        ['execution-bundle-required', 'spec.workflowRef.executionBundle', 'FieldValueRequired'],
      ],
    },
    // A missing workflowRef leaf is the CRD schema's Required error; reported once, not twice.
    {
      name: "workflowId missing is the schema's",
      patch: (w) => {
        delete w.spec.workflowRef.workflowId
      },
      want: [['schema-spec', 'spec.workflowRef.workflowId', 'FieldValueRequired']],
    },
    {
      name: "workflowRef missing is the schema's",
      patch: (w) => {
        delete w.spec.workflowRef
      },
      want: [['schema-spec', 'spec.workflowRef', 'FieldValueRequired']],
    },
    {
      name: "a wrong type is the schema's",
      patch: (w) => {
        w.spec.remediationRequestRef.name = 42
      },
      want: [['schema-spec', 'spec.remediationRequestRef.name', 'FieldValueInvalid']],
    },
  ]
  for (const c of cases) {
    const r = create(c.patch)
    t.same(triples(r), c.want, c.name)
    t.equal(r.response.allowed, false, `${c.name}: denied`)
  }
  t.equal(
    message(
      create((w) => {
        w.spec.workflowRef.workflowId = ''
      }),
    ),
    'spec.workflowRef.workflowId: Required value: must not be empty',
  )
})

t.test('confidence within [0, 1]', async (t) => {
  const ok: unknown[] = [0, 1, 0.5, 0.0001, 0.9999]
  for (const confidence of ok) {
    const r = create((w) => {
      w.spec.confidence = confidence
    })
    t.same(triples(r), [], `confidence ${String(confidence)} allowed`)
  }
  // An integer in JSON, exactly as the apiserver forwards it.
  for (const raw of ['0', '1', '1.0', '0e0']) {
    const object = JSON.parse(JSON.stringify(aWorkflowExecution()).replace('"confidence":0.92', `"confidence":${raw}`))
    t.same(triples(admit(aRequest({ object }), policy, 'validate')), [], `JSON ${raw} allowed`)
  }
  for (const confidence of [-0.01, 1.01, -1, 2, 100]) {
    const r = create((w) => {
      w.spec.confidence = confidence
    })
    t.same(triples(r), [['confidence-range', 'spec.confidence', 'FieldValueInvalid']], `confidence ${confidence} denied`)
    t.equal(r.violations[0]?.error.value, confidence, 'the error shows the value')
  }
  t.equal(
    message(
      create((w) => {
        w.spec.confidence = 1.01
      }),
    ),
    'spec.confidence: Invalid value: 1.01: must be between 0 and 1 inclusive',
  )
  t.equal(
    message(
      create((w) => {
        w.spec.confidence = -0.01
      }),
    ),
    'spec.confidence: Invalid value: -0.01: must be between 0 and 1 inclusive',
  )
  t.same(
    triples(
      create((w) => {
        delete w.spec.confidence
      }),
    ),
    [],
    'absent confidence allowed',
  )
})

t.test('executionConfig.timeout is a Go duration greater than zero', async (t) => {
  for (const timeout of ['90s', '30m', '1h30m', '1.5h', '500ms', '1h0m0s', '+5m']) {
    t.same(
      triples(
        create((w) => {
          w.spec.executionConfig = { timeout }
        }),
      ),
      [],
      `${timeout} allowed`,
    )
  }
  for (const timeout of ['0s', '0', '-5m', 'abc', '10', '', '5 m', '1d', '0h0m']) {
    const r = create((w) => {
      w.spec.executionConfig = { timeout }
    })
    t.same(
      triples(r),
      [['execution-timeout-valid', 'spec.executionConfig.timeout', 'FieldValueInvalid']],
      `${JSON.stringify(timeout)} denied`,
    )
  }
  t.equal(
    message(
      create((w) => {
        w.spec.executionConfig = { timeout: '0s' }
      }),
    ),
    'spec.executionConfig.timeout: Invalid value: "0s": must be greater than zero',
  )
  t.equal(
    message(
      create((w) => {
        w.spec.executionConfig = { timeout: '-5m' }
      }),
    ),
    'spec.executionConfig.timeout: Invalid value: "-5m": must be greater than zero',
  )
  t.equal(
    message(
      create((w) => {
        w.spec.executionConfig = { timeout: '10' }
      }),
    ),
    'spec.executionConfig.timeout: Invalid value: "10": must be a Go duration with a unit, such as 90s, 30m or 1h30m',
  )
  // Read as Go reads it: a fraction of a nanosecond is 0, int64 nanoseconds is the ceiling.
  t.same(
    triples(
      create((w) => {
        w.spec.executionConfig = { timeout: '2562047h47m16.854775807s' }
      }),
    ),
    [],
    'the largest Go duration allowed',
  )
  t.equal(
    message(
      create((w) => {
        w.spec.executionConfig = { timeout: '0.5ns' }
      }),
    ),
    'spec.executionConfig.timeout: Invalid value: "0.5ns": must be greater than zero (Go reads it as 0s)',
  )
  t.equal(
    message(
      create((w) => {
        w.spec.executionConfig = { timeout: '9223372036854775808ns' }
      }),
    ),
    'spec.executionConfig.timeout: Invalid value: "9223372036854775808ns": must be at most 2562047h47m16.854775807s (Go\'s time.Duration, int64 nanoseconds); a Go client cannot decode more',
  )
  t.same(
    triples(
      create((w) => {
        w.spec.executionConfig = {}
      }),
    ),
    [],
    'absent timeout allowed (validate only)',
  )
  const both = create((w) => {
    delete w.spec.executionConfig
  }, 'both')
  t.equal(both.response.allowed, true, 'absent timeout: mutate defaults it, then validation passes')
})

t.test('parameter names: invalid denied per key, lowercase warned', async (t) => {
  const allowed = ['NAMESPACE', 'DEPLOYMENT_NAME', 'A1', '_INTERNAL', 'X']
  t.same(
    triples(
      create((w) => {
        w.spec.parameters = Object.fromEntries(allowed.map((k) => [k, 'v']))
      }),
    ),
    [],
    'UPPER_SNAKE_CASE keys pass silently',
  )

  for (const key of ['bad-key', '1ABC', 'HAS SPACE', '', 'DOT.TED', 'ÜMLAUT', 'a$b']) {
    const r = create((w) => {
      w.spec.parameters = { OK: 'v', [key]: 'v' }
    })
    t.same(
      triples(r),
      [['parameter-name-valid', `spec.parameters[${key}]`, 'FieldValueInvalid']],
      `${JSON.stringify(key)} denied, not also warned`,
    )
    t.equal(r.response.allowed, false)
  }
  t.equal(
    message(
      create((w) => {
        w.spec.parameters = { 'bad-key': 'v' }
      }),
    ),
    'spec.parameters[bad-key]: Invalid value: "bad-key": must match ^[A-Za-z_][A-Za-z0-9_]*$',
  )

  for (const key of ['playbook_path', 'camelCase', 'Mixed_Case', '_private']) {
    const r = create((w) => {
      w.spec.parameters = { [key]: 'v' }
    })
    t.equal(r.response.allowed, true, `${key} allowed`)
    t.same(triples(r, 'warn'), [['parameter-name-upper-snake', `spec.parameters[${key}]`, 'FieldValueInvalid']], `${key} warned`)
    t.same(triples(r, 'deny'), [])
    t.match(r.response.warnings, [
      new RegExp(`^spec\\.parameters\\[${key}\\]: Invalid value: "${key}": parameter names are UPPER_SNAKE_CASE by convention`),
    ])
  }
  const mixed = create((w) => {
    w.spec.parameters = { GOOD: 'v', playbook_path: 'site.yml', inventory: 'all', 'no-dash': 'x' }
  })
  t.same(
    triples(mixed, 'warn').map(([, f]) => f),
    ['spec.parameters[playbook_path]', 'spec.parameters[inventory]'],
    'one warning per lowercase key',
  )
  t.same(
    triples(mixed, 'deny').map(([, f]) => f),
    ['spec.parameters[no-dash]'],
  )
})

t.test('many bad parameter keys are reported up to the cap', async (t) => {
  const r = create((w) => {
    w.spec.parameters = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`bad-${i}`, 'v']))
  })
  t.equal(triples(r).filter(([o]) => o === 'parameter-name-valid').length, MAX_ERRORS_PER_RULE)
})

t.test('spec content rules run on CREATE only: UPDATE leaves the spec to spec-immutable', async (t) => {
  const stored = aWorkflowExecution((w) => {
    w.spec.workflowRef.version = ''
    w.spec.confidence = 7
    w.spec.executionConfig = { timeout: 'abc' }
    w.spec.parameters = { 'bad-key': 'v', lower: 'v' }
  })
  const r = admit(aRequest({ operation: 'UPDATE', object: structuredClone(stored), oldObject: stored }), policy, 'validate')
  t.same(triples(r), [])
  t.equal(r.response.allowed, true)
})
