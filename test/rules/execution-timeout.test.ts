// execution-timeout-default (src/rules/execution-timeout.ts): on CREATE the mutating webhook sets
// spec.executionConfig.timeout to --default-timeout when it is absent, and rewrites a set one in the
// form Go writes it back (metav1.Duration), with a warning saying so. UPDATE is never touched.
import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import { aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { patchOf } from '../helpers/verdict.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'

const policy = testPolicy()
const create = (patch: (w: WorkflowExecution) => void) => admit(aRequest({ object: aWorkflowExecution(patch) }), policy, 'mutate')

t.test('no executionConfig: the default timeout is added, with a warning', async (t) => {
  const r = create(() => {})
  t.same(patchOf(r), [{ op: 'add', path: '/spec/executionConfig', value: { timeout: '30m0s' } }])
  t.same(r.mutatedBy, ['execution-timeout-default'])
  t.same(r.mutationWarnings, [
    { field: 'spec.executionConfig.timeout', detail: 'defaulted to "30m0s" (no timeout was set)', origin: 'execution-timeout-default' },
  ])
})

t.test('an executionConfig without a timeout (or a null one) gets the default', async (t) => {
  for (const [config, op] of [
    [{}, 'add'],
    [{ timeout: null }, 'replace'],
  ] as const) {
    const r = create((w) => (w.spec.executionConfig = config as WorkflowExecution['spec']['executionConfig']))
    t.same(patchOf(r), [{ op, path: '/spec/executionConfig/timeout', value: '30m0s' }], JSON.stringify(config))
  }
})

t.test('--default-timeout is written as Go writes it', async (t) => {
  const r = admit(aRequest({ object: aWorkflowExecution() }), testPolicy({ defaultTimeout: '90s' }), 'mutate')
  t.same(patchOf(r), [{ op: 'add', path: '/spec/executionConfig', value: { timeout: '1m30s' } }])
})

t.test("a set timeout is rewritten in Go's Duration.String() form, and one already in it is left alone", async (t) => {
  const rewritten = create((w) => (w.spec.executionConfig = { timeout: '90s' }))
  t.same(patchOf(rewritten), [{ op: 'replace', path: '/spec/executionConfig/timeout', value: '1m30s' }])
  t.match(rewritten.mutationWarnings, [{ detail: /^rewritten from "90s" to "1m30s"/ }])
  const kept = create((w) => (w.spec.executionConfig = { timeout: '1h0m0s' }))
  t.same(patchOf(kept), [])
  t.same(kept.mutationWarnings, [])
})

t.test('an invalid timeout is left for execution-timeout-valid to deny, never rewritten', async (t) => {
  for (const timeout of ['soon', '0s', '-5m']) {
    const r = create((w) => (w.spec.executionConfig = { timeout }))
    t.same(patchOf(r), [], timeout)
  }
})

t.test('UPDATE is never mutated (spec is immutable)', async (t) => {
  const stored = aWorkflowExecution()
  const r = admit(aRequest({ operation: 'UPDATE', object: structuredClone(stored), oldObject: stored }), policy, 'mutate')
  t.same(patchOf(r), [])
})
