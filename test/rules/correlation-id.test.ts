// The correlation id (the parent RemediationRequest's name, else the execution's own) has one
// derivation, correlationIdOf(): the admission's clearance effect, the admitted deletion's evidence
// and the recorder's stored records all carry what it returns, for every shape of the reference.
import t from 'tap'
import { correlationIdOf } from '../../src/rules/clearance-attribution.js'
import { clearanceAudit } from '../../src/rules/clearance-audit.js'
import { clearancesOf, deletionOf } from '../../src/audit/stored-records.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { aFailedExecution, aRequest, OPERATOR, TEST_OPTIONS } from '../helpers/objects.js'
import { ATTRIBUTED, REASON, statusWrite, withClearance } from './clearance-fixtures.js'

/** The shapes spec.remediationRequestRef.name can arrive in: set, empty, absent. */
const REFS: [label: string, set: (w: WorkflowExecution) => void, want: string][] = [
  ['set', (w) => (w.spec.remediationRequestRef.name = 'rr-payment-api'), 'rr-payment-api'],
  ['empty', (w) => (w.spec.remediationRequestRef.name = ''), 'wfe-payment-api-1'],
  ['absent', (w) => delete (w.spec.remediationRequestRef as { name?: string }).name, 'wfe-payment-api-1'],
]

t.test('every producer of a correlation id agrees with correlationIdOf()', async (t) => {
  for (const [label, set, want] of REFS) {
    const stored = aFailedExecution(set)
    t.equal(correlationIdOf(stored, 'wfe-payment-api-1'), want, `${label}: the derivation`)

    const cleared = statusWrite({ old: stored, object: withClearance({ clearReason: REASON }, set) }, 'mutate')
    t.equal(cleared.effects[0]?.correlationId, want, `${label}: the admitted clearance's effect`)

    const deleted = clearanceAudit({
      request: aRequest({ operation: 'DELETE', oldObject: stored, userInfo: OPERATOR }),
      object: stored,
      oldObject: stored,
      options: TEST_OPTIONS,
      allowed: true,
      deniedBy: [],
      now: new Date('2026-11-25T10:00:00Z'),
    })
    t.equal(deleted?.effects[0]?.correlationId, want, `${label}: the admitted deletion's evidence`)

    t.equal(clearancesOf(withClearance(ATTRIBUTED, set))[0]?.correlationId, want, `${label}: the stored clearance record`)
    t.equal(deletionOf(stored, new Date())?.correlationId, want, `${label}: the stored deletion record`)
  }
})
