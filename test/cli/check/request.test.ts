import t from 'tap'
import { CI_USERNAME, identity, stableUid, synthesizeRequest } from '../../../src/cli/check/request.js'
import { decodeReview } from '../../../src/admission/review.js'
import { aWorkflowExecution } from '../../helpers/objects.js'

t.test('a CREATE as the apiserver sends it', async (t) => {
  const object = aWorkflowExecution() as unknown as Record<string, unknown>
  const req = synthesizeRequest({ object, subresource: '', userInfo: identity(undefined, []), dryRun: false, key: 'a.yaml:1' })
  t.match(req, {
    kind: { group: 'kubernaut.ai', version: 'v1alpha1', kind: 'WorkflowExecution' },
    resource: { group: 'kubernaut.ai', version: 'v1alpha1', resource: 'workflowexecutions' },
    requestKind: { kind: 'WorkflowExecution' },
    requestResource: { resource: 'workflowexecutions' },
    name: 'wfe-payment-api-1',
    namespace: 'kubernaut-system',
    operation: 'CREATE',
    userInfo: { username: CI_USERNAME, groups: ['system:authenticated'] },
    object,
    oldObject: null,
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
  })
  t.notOk('subResource' in req)
  t.match(req.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const review = decodeReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: req })
  t.equal(review.ok, true, 'it passes the same envelope checks as a real review')
})

t.test('an UPDATE of /status, dry-run, with a user and groups', async (t) => {
  const object = aWorkflowExecution() as unknown as Record<string, unknown>
  const req = synthesizeRequest({
    object,
    oldObject: object,
    subresource: 'status',
    userInfo: identity('bob', ['sre', 'system:authenticated']),
    dryRun: true,
    key: 'k',
  })
  t.match(req, {
    operation: 'UPDATE',
    subResource: 'status',
    requestSubResource: 'status',
    oldObject: object,
    dryRun: true,
    options: { kind: 'UpdateOptions', dryRun: ['All'] },
  })
  t.same(req.userInfo, { username: 'bob', groups: ['sre', 'system:authenticated'] }, 'system:authenticated is not added twice')
})

t.test('uids are stable per source and differ between sources', async (t) => {
  t.equal(stableUid('a.yaml:1'), stableUid('a.yaml:1'))
  t.not(stableUid('a.yaml:1'), stableUid('a.yaml:2'))
})

t.test('the objects are what the apiserver would send, given the status subresource', async (t) => {
  const stored = aWorkflowExecution((w) => {
    w.status = { phase: 'Running' }
  }) as unknown as Record<string, unknown>
  const written = aWorkflowExecution((w) => {
    w.metadata.labels = { changed: 'yes' }
    w.status = { phase: 'Failed', blockClearance: { clearedBy: 'x', clearReason: 'r', clearMethod: 'StatusField' } }
  }) as unknown as Record<string, unknown>
  const base = { userInfo: identity(undefined, []), dryRun: false, key: 'k' }

  const create = synthesizeRequest({ ...base, object: written, subresource: '' })
  t.equal((create.object as Record<string, unknown>)['status'], undefined, 'CREATE: status is dropped')

  const update = synthesizeRequest({ ...base, object: written, oldObject: stored, subresource: '' })
  t.same((update.object as Record<string, unknown>)['status'], { phase: 'Running' }, 'main-resource UPDATE: the stored status stays')
  t.same(
    ((update.object as Record<string, unknown>)['metadata'] as Record<string, unknown>)['labels'],
    { changed: 'yes' },
    'metadata changes go through',
  )

  const status = synthesizeRequest({ ...base, object: written, oldObject: stored, subresource: 'status' })
  t.same((status.object as Record<string, unknown>)['status'], (written as { status: unknown }).status, '/status UPDATE: the new status')
  t.same((status.object as Record<string, unknown>)['metadata'], stored['metadata'], '/status UPDATE: metadata as stored')
  t.same((status.object as Record<string, unknown>)['spec'], stored['spec'], '/status UPDATE: spec as stored')
  t.ok('phase' in (written as { status: Record<string, unknown> }).status, 'the input objects are left as they were')
})
