// spec-immutable (src/rules/spec-immutable.ts): a WorkflowExecution's spec never changes after
// creation (ADR-001, the CRD's `self == oldSelf`); the error names what changed.
import t from 'tap'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { message, triples } from '../helpers/verdict.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'

const policy = testPolicy()
const stored = aWorkflowExecution((w) => (w.spec.executionConfig = { timeout: '30m0s' }))
const update = (patch: (w: WorkflowExecution) => void, subResource?: 'status'): AdmitResult => {
  const next = structuredClone(stored)
  patch(next)
  return admit(
    aRequest({ operation: 'UPDATE', object: next, oldObject: stored, ...(subResource ? { subResource } : {}) }),
    policy,
    'validate',
  )
}

t.test('an UPDATE that leaves spec as stored passes, whatever the key order', async (t) => {
  t.same(triples(update(() => {})), [])
  const reordered = update((w) => (w.spec = Object.fromEntries(Object.entries(w.spec).reverse()) as WorkflowExecution['spec']))
  t.same(triples(reordered), [])
  t.same(triples(update((w) => (w.metadata.labels = { team: 'sre' }))), [], 'metadata-only updates pass')
})

t.test('a changed spec field is Forbidden, named, with the fix', async (t) => {
  const r = update((w) => (w.spec.targetResource = 'payment/Deployment/other'))
  t.same(triples(r), [['spec-immutable', 'spec', 'FieldValueForbidden']])
  t.equal(
    message(r),
    'spec: Forbidden: spec is immutable after creation (ADR-001); changed: spec.targetResource; delete and recreate the WorkflowExecution to change it',
  )
})

t.test('added, removed and nested changes are each named (the first three)', async (t) => {
  const r = update((w) => {
    delete w.spec.rationale
    w.spec.parameters = { ...w.spec.parameters, EXTRA: '1' }
    w.spec.workflowRef.version = 'v9'
    w.spec.confidence = 0.5
  })
  t.same(triples(r), [['spec-immutable', 'spec', 'FieldValueForbidden']])
  t.match(message(r), /changed: spec\.[^,]+, spec\.[^,]+, spec\.[^;]+; delete and recreate/)
})

t.test('not judged on CREATE, nor on a /status write (the apiserver keeps the stored spec there)', async (t) => {
  const created = admit(aRequest({ object: aWorkflowExecution() }), policy, 'validate')
  t.notOk(triples(created).some(([id]) => id === 'spec-immutable'))
  const status = update((w) => {
    w.spec.targetResource = 'payment/Deployment/other'
    w.status = { phase: 'Pending' }
  }, 'status')
  t.notOk(triples(status).some(([id]) => id === 'spec-immutable'))
})
