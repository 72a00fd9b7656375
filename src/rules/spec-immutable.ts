// ADR-001: a WorkflowExecution is the record of one approved attempt; its spec never changes.
// The CRD says it as `self == oldSelf`; here the same, with the changed fields named.
import { defineRule } from '../admission/rule-contract.js'
import { forbidden } from '../admission/field.js'
import { firstDifferences, semanticEqual } from '../api/semantic-equal.js'

export const SPEC_IMMUTABLE_MESSAGE = 'spec is immutable after creation (ADR-001)'

export const specImmutable = defineRule({
  id: 'spec-immutable',
  description: 'spec cannot change after creation (deep, key order irrelevant); metadata-only updates pass',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: [''],
  field: 'spec',
  check: ({ object, oldObject }) => {
    // The common UPDATE leaves spec as it was: compared without allocating, paths only on a change.
    if (semanticEqual(oldObject?.spec, object.spec)) return []
    const changed = firstDifferences(oldObject?.spec, object.spec, 'spec', 3)
    if (changed.length === 0) return []
    return [
      forbidden(
        'spec',
        `${SPEC_IMMUTABLE_MESSAGE}; changed: ${changed.join(', ')}; delete and recreate the WorkflowExecution to change it`,
      ),
    ]
  },
})

export const specImmutableRules = [specImmutable]
