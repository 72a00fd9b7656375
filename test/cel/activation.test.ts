import t from 'tap'
import { celActivation } from '../../src/cel/activation.js'
import { compileExpression } from '../../src/cel/compile.js'
import { aFailedExecution, aRequest, aWorkflowExecution, TEST_OPTIONS } from '../helpers/objects.js'

const ctxOf = (object: unknown, oldObject?: unknown) => ({
  request: aRequest({ object }),
  object: object as never,
  oldObject: oldObject as never,
  options: TEST_OPTIONS,
  now: new Date(),
})

t.test('integer fields become BigInt so CEL integer arithmetic works; the request is not modified', async (t) => {
  const w = aFailedExecution((x) => {
    x.metadata.generation = 3
    x.status!.observedGeneration = 2
    x.status!.conditions = [{ type: 'Ready', status: 'True', observedGeneration: 2, lastTransitionTime: 't', reason: 'r', message: 'm' }]
  })
  const ctx = ctxOf(w)
  const a = celActivation(ctx) as {
    object: {
      metadata: { generation: unknown }
      status: { observedGeneration: unknown; failureDetails: { failedTaskIndex: unknown }; conditions: { observedGeneration: unknown }[] }
    }
  }
  t.equal(a.object.metadata.generation, 3n)
  t.equal(a.object.status.observedGeneration, 2n)
  t.equal(a.object.status.failureDetails.failedTaskIndex, 1n)
  t.equal(a.object.status.conditions[0]?.observedGeneration, 2n)
  t.equal(w.metadata.generation, 3, 'the request object keeps its numbers')
  t.equal(celActivation(ctx), a, 'built once per request')
  t.equal(compileExpression('gen', 'object.metadata.generation + 1 == 4', 'bool')(a as never), true)
})

t.test('fields that are absent stay absent (has() is false), not present-but-undefined', async (t) => {
  const w = aWorkflowExecution((x) => {
    x.status = { phase: 'Running' }
  })
  const a = celActivation(ctxOf(w, w))
  for (const f of ['executionStatus', 'failureDetails', 'conditions']) {
    t.equal(compileExpression(`has-${f}`, `has(object.status.${f})`, 'bool')(a), false, f)
  }
  t.equal(
    compileExpression(
      'meta',
      'has(object.metadata)',
      'bool',
    )(celActivation(ctxOf({ apiVersion: 'kubernaut.ai/v1alpha1', kind: 'WorkflowExecution', spec: {} }))),
    false,
  )
})
