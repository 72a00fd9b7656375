// The one model of what the kube-apiserver does to a write before the webhooks (src/admission/apiserver.ts):
// the server's core and `check` both call it, so these cases hold for both.
import t from 'tap'
import { authenticatedUser, pruneAsApiserver, storedForm, unknownFieldWarning, withNamespace } from '../../src/admission/apiserver.js'
import { aFailedExecution, aWorkflowExecution } from '../helpers/objects.js'

const asObj = (v: unknown): Record<string, any> => v as Record<string, any>

t.test('unknown fields are pruned and named, at every level the CRD declares', async (t) => {
  const written = asObj(
    aWorkflowExecution((w) => {
      const spec = asObj(w.spec)
      spec.timeOut = '5m'
      spec.workflowRef.extra = 1
      spec.executionConfig = { timeout: '5m0s', retries: 3 }
    }),
  )
  written.extras = true
  written.status = {
    phase: 'Pending',
    bogus: 'x',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-25T09:00:00Z', reason: 'R', message: '', extra: 1 }],
  }
  const { object: pruned, unknown } = pruneAsApiserver(written)
  const object = asObj(pruned)
  t.same(unknown.sort(), [
    'extras',
    'spec.executionConfig.retries',
    'spec.timeOut',
    'spec.workflowRef.extra',
    'status.bogus',
    'status.conditions[0].extra',
  ])
  t.notOk('timeOut' in object.spec)
  t.same(object.spec.executionConfig, { timeout: '5m0s' })
  t.notOk('extra' in asObj(object.status).conditions[0])
  t.ok('timeOut' in written.spec, 'the written object is not modified')
  t.equal(unknownFieldWarning('spec.timeOut'), 'unknown field "spec.timeOut"', "the apiserver's words, as kubectl prints them")
})

t.test('nulls of non-nullable fields are dropped; engineConfig and metadata keep what they hold', async (t) => {
  const written = asObj(
    aWorkflowExecution((w) => {
      const spec = asObj(w.spec)
      spec.confidence = null
      spec.parameters = { A: 'x', B: null }
      spec.workflowRef.engineConfig = { keep: null, anything: { goes: [1, null] } }
    }),
  )
  written.metadata.labels = null
  written.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'X', name: 'y', uid: 'u' }]
  const { object: pruned, unknown } = pruneAsApiserver(written)
  const object = asObj(pruned)
  t.same(unknown, [])
  t.notOk('confidence' in object.spec)
  t.same(object.spec.parameters, { A: 'x' })
  t.same(
    object.spec.workflowRef.engineConfig,
    { keep: null, anything: { goes: [1, null] } },
    'x-kubernetes-preserve-unknown-fields: untouched',
  )
  t.notOk('labels' in asObj(object.metadata))
  t.ok('ownerReferences' in asObj(object.metadata), 'ObjectMeta fields the schema table does not list are kept')
})

t.test('a value of the wrong type is left for the schema rules', async (t) => {
  const written = asObj(aFailedExecution())
  written.spec.parameters = 'not a map'
  written.status.conditions = 'nope'
  const { object: pruned, unknown } = pruneAsApiserver(written)
  const object = asObj(pruned)
  t.same(unknown, [])
  t.equal(object.spec.parameters, 'not a map')
  t.equal(asObj(object.status).conditions, 'nope')
})

t.test('the stored form: CREATE drops status, a main-resource UPDATE keeps the stored status, /status changes status only', async (t) => {
  type W = { metadata: object; spec: object; status?: object }
  const old: W = { metadata: { name: 'a', uid: 'u1' }, spec: { v: 1 }, status: { phase: 'Failed' } }
  const sent: W = { metadata: { name: 'a', uid: 'u2' }, spec: { v: 2 }, status: { phase: 'Running' } }
  t.same(storedForm('CREATE', '', sent, undefined), { metadata: sent.metadata, spec: sent.spec })
  t.same(storedForm('UPDATE', '', sent, old), { metadata: sent.metadata, spec: sent.spec, status: old.status })
  t.same(storedForm('UPDATE', 'status', sent, old), { metadata: old.metadata, spec: old.spec, status: sent.status })
  const { status: _none, ...noStatus } = sent
  t.same(
    storedForm('UPDATE', 'status', noStatus, old),
    { metadata: old.metadata, spec: old.spec },
    'a /status write without status removes it',
  )
  const neverRun: W = { metadata: old.metadata, spec: old.spec }
  t.same(storedForm('UPDATE', '', sent, neverRun), { metadata: sent.metadata, spec: sent.spec }, 'no stored status, none kept')
  t.equal(storedForm('DELETE', '', sent, old), sent, 'a DELETE stores nothing: the object is judged as sent')
})

t.test('identity and namespace as the apiserver passes them on', async (t) => {
  t.same(authenticatedUser('bob', ['sre']), { username: 'bob', groups: ['sre', 'system:authenticated'] })
  t.same(authenticatedUser('bob', ['system:authenticated']).groups, ['system:authenticated'], 'added once')
  t.same(withNamespace({ metadata: { name: 'a' } }, 'ns'), { metadata: { name: 'a', namespace: 'ns' } })
  t.same(withNamespace({ metadata: { name: 'a', namespace: 'x' } }, 'ns'), { metadata: { name: 'a', namespace: 'x' } })
  t.same(withNamespace({}, 'ns'), { metadata: { namespace: 'ns' } })
})
