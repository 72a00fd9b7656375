// status.duration and status.failureDetails.executionTimeBeforeFailure are metav1.Duration: every Go
// client that lists WorkflowExecutions decodes them with time.ParseDuration, and one value it cannot
// read fails the whole list (an informer stalls). The CRD can only say "string", so the webhook
// refuses a /status write of a value Go would not decode ("1d", "9223372036854775808ns").
import { defineRule } from '../admission/rule-contract.js'
import { invalid, type FieldError } from '../admission/field.js'
import { durationProblem } from '../api/duration.js'
import { present, valueAt, recordAt } from './field-values.js'

export const statusDurationsValid = defineRule({
  id: 'status-durations-valid',
  description:
    'status.duration and status.failureDetails.executionTimeBeforeFailure, when set, are durations Go can decode (time.ParseDuration)',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['status'],
  field: 'status.duration',
  check: ({ object }): FieldError[] => {
    const status = recordAt(object, 'status')
    if (status === undefined) return []
    const out: FieldError[] = []
    const duration = present(status, 'duration')
    if (typeof duration === 'string') {
      const problem = durationProblem(duration, false)
      if (problem !== undefined) out.push(invalid('status.duration', duration, problem))
    }
    const before = valueAt(status, 'failureDetails', 'executionTimeBeforeFailure')
    if (typeof before === 'string') {
      const problem = durationProblem(before, false)
      if (problem !== undefined) out.push(invalid('status.failureDetails.executionTimeBeforeFailure', before, problem))
    }
    return out
  },
})

export const statusDurationRules = [statusDurationsValid]
