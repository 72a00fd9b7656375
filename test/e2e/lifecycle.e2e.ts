// A WorkflowExecution's life as the real kube-apiserver runs it through both webhooks: creation
// defaulted (and kubectl printing the warning), spec immutability, enums, the target format, and
// phase transitions through /status, each also as --dry-run=server with the same verdict.
import t from 'tap'
import { USERS, create, get, kubectl, namespace, patch, webhookCalls, wfe } from './harness.js'

const ns = await namespace('e2e-life')

t.test('create: the timeout is defaulted, kubectl prints the warning, the object is stored', async (t) => {
  const r = await create(wfe(ns, 'defaulted'), { as: USERS.orchestrator })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /^Warning: spec\.executionConfig\.timeout: .*defaulted/m, 'kubectl shows the webhook warning')
  const stored = await get(ns, 'defaulted')
  t.type(stored.spec.executionConfig?.timeout, 'string', 'the defaulted timeout is persisted')
  t.notOk(stored.status, 'status is dropped on CREATE')
})

t.test('create with status: the apiserver drops status before storing', async (t) => {
  const r = await create(
    wfe(ns, 'with-status', (w) => {
      w.status = { phase: 'Completed' }
    }),
    { as: USERS.orchestrator },
  )
  t.equal(r.code, 0, r.stderr)
  t.notOk((await get(ns, 'with-status')).status, 'status is not persisted on CREATE')
})

t.test('spec is immutable: a spec change is refused, a label change is allowed', async (t) => {
  await create(wfe(ns, 'immutable'), { as: USERS.orchestrator })
  const denied = await patch(ns, 'immutable', { spec: { targetResource: 'payment/Deployment/other' } }, { as: USERS.alice })
  t.not(denied.code, 0)
  // The apiserver validates the CRD's schema and x-kubernetes-validations before it calls the
  // validating webhooks, so the CRD's `self == oldSelf` rule answers first; the webhook's
  // spec-immutable rule is the same verdict for anyone who installs without the CRD's rules.
  t.match(denied.stderr, /is invalid: spec: Invalid value: .*spec is immutable after creation/)
  const dry = await patch(ns, 'immutable', { spec: { targetResource: 'payment/Deployment/other' } }, { as: USERS.alice, dryRun: true })
  t.not(dry.code, 0, 'the dry run gets the same verdict')
  const labels = await patch(ns, 'immutable', { metadata: { labels: { team: 'payments' } } }, { as: USERS.alice })
  t.equal(labels.code, 0, labels.stderr)
})

t.test('targetResource: a malformed target is refused naming the field', async (t) => {
  const r = await create(
    wfe(ns, 'bad-target', (w) => {
      w.spec.targetResource = 'payment//payment-api'
    }),
    { as: USERS.orchestrator },
  )
  t.not(r.code, 0)
  t.match(r.stderr, /spec\.targetResource/)
  const dry = await create(
    wfe(ns, 'bad-target', (w) => {
      w.spec.targetResource = 'payment//payment-api'
    }),
    { as: USERS.orchestrator, dryRun: true },
  )
  t.not(dry.code, 0)
  t.match(dry.stderr, /spec\.targetResource/)
})

t.test('phases go forward through /status; backwards and unknown phases are refused', async (t) => {
  await create(wfe(ns, 'phases'), { as: USERS.orchestrator })
  const asController = { as: USERS.controller, status: true }
  t.equal((await patch(ns, 'phases', { status: { phase: 'Pending' } }, asController)).code, 0)
  const unknown = await patch(ns, 'phases', { status: { phase: 'Exploded' } }, asController)
  t.not(unknown.code, 0)
  t.match(unknown.stderr, /status\.phase/)
  t.equal((await patch(ns, 'phases', { status: { phase: 'Running' } }, asController)).code, 0)
  const back = await patch(ns, 'phases', { status: { phase: 'Pending' } }, asController)
  t.not(back.code, 0, 'Running → Pending is refused')
  t.match(back.stderr, /status\.phase/)
  t.equal((await patch(ns, 'phases', { status: { phase: 'Completed' } }, asController)).code, 0)
  const after = await patch(ns, 'phases', { status: { phase: 'Running' } }, asController)
  t.not(after.code, 0, 'a terminal phase stays terminal')
  t.equal((await get(ns, 'phases')).status.phase, 'Completed')
})

t.test('a status write through the main resource is ignored by the apiserver, not stored', async (t) => {
  await create(wfe(ns, 'main-status'), { as: USERS.orchestrator })
  const r = await patch(ns, 'main-status', { status: { phase: 'Running' } }, { as: USERS.alice })
  t.equal(r.code, 0, r.stderr)
  t.notOk((await get(ns, 'main-status')).status?.phase, 'the main resource cannot write status')
})

t.test('kubectl get shows the stored executions', async (t) => {
  const r = await kubectl(['get', 'wfe', '-n', ns])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /defaulted/)
})

t.test(
  'matchConditions: a routine /status write or a label never reaches the mutating webhook; the validating one sees both',
  async (t) => {
    await create(wfe(ns, 'match-conditions'), { as: USERS.orchestrator })
    const before = await webhookCalls()
    t.equal((await patch(ns, 'match-conditions', { status: { phase: 'Pending' } }, { as: USERS.controller, status: true })).code, 0)
    const after = await webhookCalls()
    t.equal((after['/mutate-workflowexecution'] ?? 0) - (before['/mutate-workflowexecution'] ?? 0), 0, 'mutating webhook skipped')
    t.equal((after['/validate-workflowexecution'] ?? 0) - (before['/validate-workflowexecution'] ?? 0), 1, 'validating webhook called once')
    const main = await patch(ns, 'match-conditions', { metadata: { labels: { x: 'y' } } }, { as: USERS.alice })
    t.equal(main.code, 0, main.stderr)
    const labelled = await webhookCalls()
    t.equal(
      (labelled['/mutate-workflowexecution'] ?? 0) - (after['/mutate-workflowexecution'] ?? 0),
      0,
      'a label alone skips the mutating webhook (nothing to mutate or annotate)',
    )
    t.equal((labelled['/validate-workflowexecution'] ?? 0) - (after['/validate-workflowexecution'] ?? 0), 1, 'and is validated')
    // The clear annotation on an execution that has not failed: sent to both, refused by the validator.
    const clear = { metadata: { annotations: { 'kubernaut.ai/clear-execution-block': 'checked the target by hand, nothing to clear' } } }
    await patch(ns, 'match-conditions', clear, { as: USERS.alice })
    const annotated = await webhookCalls()
    t.equal(
      (annotated['/mutate-workflowexecution'] ?? 0) - (labelled['/mutate-workflowexecution'] ?? 0),
      1,
      'the clear annotation is sent to the mutating webhook',
    )
    // A DELETE is validated only when the stored execution's block is in force (block-lifting.e2e covers those).
    const deleted = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', 'match-conditions', '-n', ns, '--wait=false'])
    t.equal(deleted.code, 0, deleted.stderr)
    const gone = await webhookCalls()
    t.equal(
      (gone['/validate-workflowexecution'] ?? 0) - (annotated['/validate-workflowexecution'] ?? 0),
      0,
      'deleting an execution that never failed skips the validating webhook',
    )
  },
)
