import t from 'tap'
import { WfeError } from '../../src/errors.js'
import { blockClearedEvent, createEventWriter, EVENT_REASON } from '../../src/effects/events.js'
import { EFFECT } from './effect-fixture.js'
import { startFakeApiserver, TOKEN, writeKubeconfig } from './fake-apiserver.js'

t.test('the Event: Normal BlockCleared on the WorkflowExecution, who and why in the message', async (t) => {
  const e = blockClearedEvent(EFFECT, 'wfe-admission-7d9f')
  t.same(e.involvedObject, {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    name: 'wfe-payment-api-1',
    namespace: 'kubernaut-system',
    uid: '6f1c2d3e-0000-4000-8000-000000000001',
  })
  t.equal(e.type, 'Normal')
  t.equal(e.reason, EVENT_REASON)
  t.equal(e.reason, 'BlockCleared')
  t.equal(
    e.message,
    'Execution block cleared by alice@kubernaut.ai (clearMethod StatusField): node pressure resolved, cluster state verified manually',
  )
  t.same(e.source, { component: 'wfe-admission' })
  t.equal(e.reportingComponent, 'wfe-admission')
  t.equal(e.reportingInstance, 'wfe-admission-7d9f')
  t.equal(e.metadata.namespace, 'kubernaut-system')
  t.match(e.metadata.name, /^wfe-payment-api-1\.[0-9a-f]{16}$/)
  t.not(blockClearedEvent(EFFECT).metadata.name, e.metadata.name, 'two Events in the same second get distinct names')
  t.equal(e.firstTimestamp?.toISOString(), '2026-11-25T10:20:30.000Z')
  t.equal(e.count, 1)
})

t.test('a long reason is cut to keep the message within 1 KiB; a missing uid is left out', async (t) => {
  const e = blockClearedEvent({ ...EFFECT, reason: 'word '.repeat(1000), resource: { namespace: 'ns', name: 'n' } })
  t.equal(e.message?.length, 1024)
  t.match(e.message, /\.\.\.$/)
  t.notOk('uid' in (e.involvedObject ?? {}))
})

t.test('no kubeconfig and not in a pod: no writer', async (t) => {
  t.equal(await createEventWriter({ timeoutMs: 1000, inCluster: false }), undefined)
  const saved = process.env['KUBERNETES_SERVICE_HOST']
  delete process.env['KUBERNETES_SERVICE_HOST']
  t.teardown(() => {
    if (saved !== undefined) process.env['KUBERNETES_SERVICE_HOST'] = saved
  })
  t.equal(await createEventWriter({ timeoutMs: 1000 }), undefined, 'auto-detection finds no pod environment')
})

t.test('an explicit kubeconfig that cannot be loaded is a start-up error', async (t) => {
  const err = await createEventWriter({ timeoutMs: 1000, kubeconfigPath: '/nonexistent/kubeconfig' }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.ok(err instanceof WfeError, 'a WfeError')
  t.equal((err as WfeError).code, 'WFE_ERR_CONFIG')
  t.match((err as WfeError).message, /^--kubeconfig \/nonexistent\/kubeconfig: cannot load it for Event writes/)
})

t.test('the real client POSTs the Event to /api/v1/namespaces/NS/events with the kubeconfig credentials', async (t) => {
  const server = await startFakeApiserver('answer')
  const kubeconfig = await writeKubeconfig(server.url, server.caPem)
  t.teardown(async () => {
    await server.close()
    await kubeconfig.cleanup()
  })
  const writer = await createEventWriter({ kubeconfigPath: kubeconfig.path, timeoutMs: 10_000 })
  if (writer === undefined) throw new Error('expected a writer')
  await writer.write(EFFECT)
  t.equal(server.requests.length, 1)
  const req = server.requests[0]!
  t.equal(req.method, 'POST')
  t.equal(req.url, '/api/v1/namespaces/kubernaut-system/events')
  t.equal(req.headers['authorization'], `Bearer ${TOKEN}`)
  t.match(req.headers['content-type'], /^application\/json/)
  const body = req.body as Record<string, unknown>
  t.equal(body['apiVersion'], 'v1')
  t.equal(body['kind'], 'Event')
  t.equal(body['type'], 'Normal')
  t.equal(body['reason'], 'BlockCleared')
  t.equal(
    body['message'],
    'Execution block cleared by alice@kubernaut.ai (clearMethod StatusField): node pressure resolved, cluster state verified manually',
  )
  t.same(body['involvedObject'], {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    name: 'wfe-payment-api-1',
    namespace: 'kubernaut-system',
    uid: '6f1c2d3e-0000-4000-8000-000000000001',
  })
  t.same(body['source'], { component: 'wfe-admission' })
  t.equal(body['reportingComponent'], 'wfe-admission')
  t.equal(body['firstTimestamp'], '2026-11-25T10:20:30.000Z')
  t.equal((body['metadata'] as Record<string, unknown>)['namespace'], 'kubernaut-system')
})

t.test('a server with another CA is refused (TLS is verified, not skipped)', async (t) => {
  const server = await startFakeApiserver('answer')
  const other = await startFakeApiserver('answer')
  const kubeconfig = await writeKubeconfig(server.url, other.caPem)
  t.teardown(async () => {
    await server.close()
    await other.close()
    await kubeconfig.cleanup()
  })
  const writer = await createEventWriter({ kubeconfigPath: kubeconfig.path, timeoutMs: 10_000 })
  await t.rejects(writer!.write(EFFECT))
  t.equal(server.requests.length, 0)
})

t.test('an endpoint that is down: the write rejects', async (t) => {
  const gone = await startFakeApiserver('answer')
  await gone.close()
  const kubeconfig = await writeKubeconfig(gone.url, gone.caPem)
  t.teardown(() => kubeconfig.cleanup())
  const writer = await createEventWriter({ kubeconfigPath: kubeconfig.path, timeoutMs: 10_000 })
  await t.rejects(writer!.write(EFFECT))
})

t.test('an endpoint that never answers: the write rejects at the timeout, or when the caller aborts', async (t) => {
  const server = await startFakeApiserver('hang')
  const kubeconfig = await writeKubeconfig(server.url, server.caPem)
  t.teardown(async () => {
    await server.close()
    await kubeconfig.cleanup()
  })
  const writer = await createEventWriter({ kubeconfigPath: kubeconfig.path, timeoutMs: 300 })
  await t.rejects(writer!.write(EFFECT))
  t.equal(server.requests.length, 1, 'the request did reach the endpoint')

  const patient = await createEventWriter({ kubeconfigPath: kubeconfig.path, timeoutMs: 60_000 })
  const controller = new AbortController()
  const pending = patient!.write(EFFECT, controller.signal)
  await server.received(2)
  controller.abort(new Error('shutting down'))
  await t.rejects(pending)
})
