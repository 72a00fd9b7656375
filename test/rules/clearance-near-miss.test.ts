import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import { editDistance, nearMissOf } from '../../src/rules/clearance-near-miss.js'
import { aFailedExecution, aRequest, OPERATOR, testPolicy } from '../helpers/objects.js'
import { ruleIds } from '../helpers/verdict.js'
import { REASON } from './clearance-fixtures.js'

const policy = testPolicy()

t.test('near misses name the real key; real keys, case variants and unrelated keys are not near misses', async (t) => {
  const real = 'kubernaut.ai/clear-execution-block'
  for (const key of [
    'kubernaut.ai/clear_execution_block',
    'www.kubernaut.ai/clear-execution-block',
    'example.com/clear-execution-block',
    'clear-execution-block',
    'kubernaut.ai/clear-excution-block',
    'kubernaut.ia/clear-execution-block',
    'kubernaut.ai/clear-execution-blocks',
  ])
    t.equal(nearMissOf(key), real, key)
  t.equal(nearMissOf('kubernaut.ai/clear_execution_block_by'), 'kubernaut.ai/clear-execution-block-by')
  for (const key of [
    real,
    'Kubernaut.AI/clear-execution-block',
    'kubernaut.ai/clear-execution-block-at',
    'app.kubernetes.io/name',
    'example.com/clear-exec',
  ])
    t.equal(nearMissOf(key), undefined, key)
  t.equal(editDistance('kitten', 'sitting', 5), 3)
  t.equal(editDistance('a', 'abcdef', 2), 3, 'bounded')
})

t.test('an added near-miss key is a warning that says the block is not cleared', async (t) => {
  const old = aFailedExecution()
  const object = aFailedExecution((w) => (w.metadata.annotations = { 'kubernaut.ai/clear_execution_block': REASON }))
  const res = admit(aRequest({ operation: 'UPDATE', object, oldObject: old, userInfo: OPERATOR }), policy, 'both')
  t.equal(res.response.allowed, true)
  t.same(ruleIds(res, 'warn'), ['clear-annotation-near-miss'])
  t.match(
    res.response.warnings?.[0],
    /^metadata\.annotations\[kubernaut\.ai\/clear_execution_block\]: Forbidden: this key is not read by anyone, so the block is NOT cleared: did you mean kubernaut\.ai\/clear-execution-block\?/,
  )
  const again = admit(aRequest({ operation: 'UPDATE', object, oldObject: object, userInfo: OPERATOR }), policy, 'both')
  t.same(ruleIds(again, 'warn'), [], 'stored already: not repeated on every write')
})
