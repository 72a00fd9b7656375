import t from 'tap'
import { WfeError } from '../../src/errors.js'
import { abortable, loadKubeConfig } from '../../src/kube/config.js'
import { fakeApiserverKubeconfig, startFakeApiserver, TOKEN, writeKubeconfig } from '../effects/fake-apiserver.js'

// What the audit recorder does with the client (src/audit/): load the configuration, then create an
// Event with a per-call abort signal. These tests hold the parts that are ours.
async function writeEvent(kubeconfigPath: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const loaded = await loadKubeConfig({ kubeconfigPath })
  if (loaded === undefined) throw new Error('expected a configuration')
  const { k8s, kc } = loaded
  const timeout = AbortSignal.timeout(timeoutMs)
  const body = {
    metadata: { name: 'wfe-payment-api-1.abc', namespace: 'kubernaut-system' },
    involvedObject: { name: 'wfe-payment-api-1' },
    reason: 'BlockCleared',
  }
  await kc
    .makeApiClient(k8s.CoreV1Api)
    .createNamespacedEvent(
      { namespace: 'kubernaut-system', body },
      abortable(kc, signal === undefined ? timeout : AbortSignal.any([signal, timeout])),
    )
}

t.test('no kubeconfig and not in a pod: no client', async (t) => {
  t.equal(await loadKubeConfig({ inCluster: false }), undefined)
  const saved = process.env['KUBERNETES_SERVICE_HOST']
  delete process.env['KUBERNETES_SERVICE_HOST']
  t.teardown(() => {
    if (saved !== undefined) process.env['KUBERNETES_SERVICE_HOST'] = saved
  })
  t.equal(await loadKubeConfig({}), undefined, 'auto-detection finds no pod environment')
})

t.test('an explicit kubeconfig that cannot be loaded is a start-up error', async (t) => {
  const err = await loadKubeConfig({ kubeconfigPath: '/nonexistent/kubeconfig' }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.ok(err instanceof WfeError, 'a WfeError')
  t.equal((err as WfeError).code, 'WFE_ERR_CONFIG')
  t.match(
    (err as WfeError).message,
    /^--kubeconfig \/nonexistent\/kubeconfig: cannot load it for the WorkflowExecution watch and Event writes/,
  )
})

t.test('the loaded client POSTs to /api/v1/namespaces/NS/events with the kubeconfig credentials', async (t) => {
  const { server, path } = await fakeApiserverKubeconfig(t, 'answer')
  await writeEvent(path, 10_000)
  t.equal(server.requests.length, 1)
  const req = server.requests[0]!
  t.equal(req.method, 'POST')
  t.equal(req.url, '/api/v1/namespaces/kubernaut-system/events')
  t.equal(req.headers['authorization'], `Bearer ${TOKEN}`)
  t.match(req.headers['content-type'], /^application\/json/)
  const body = req.body as Record<string, unknown>
  t.equal(body['reason'], 'BlockCleared')
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
  await t.rejects(writeEvent(kubeconfig.path, 10_000))
  t.equal(server.requests.length, 0)
})

t.test('an endpoint that is down: the write rejects', async (t) => {
  const gone = await startFakeApiserver('answer')
  await gone.close()
  const kubeconfig = await writeKubeconfig(gone.url, gone.caPem)
  t.teardown(() => kubeconfig.cleanup())
  await t.rejects(writeEvent(kubeconfig.path, 10_000))
})

t.test('an endpoint that never answers: the write rejects at the timeout, or when the caller aborts', async (t) => {
  const { server, path } = await fakeApiserverKubeconfig(t, 'hang')
  await t.rejects(writeEvent(path, 300))
  t.equal(server.requests.length, 1, 'the request did reach the endpoint')

  const controller = new AbortController()
  const pending = writeEvent(path, 60_000, controller.signal)
  await server.received(2)
  controller.abort(new Error('shutting down'))
  await t.rejects(pending)
})
