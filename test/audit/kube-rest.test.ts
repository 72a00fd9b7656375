import t from 'tap'
import { createAuditApi } from '../../src/audit/api.js'
import { ApiError, createRest } from '../../src/audit/kube-rest.js'
import { fakeApiserverClient, TOKEN } from '../effects/fake-apiserver.js'

// The recorder's own REST client, through the kubeconfig's TLS and token, against a loopback HTTPS
// endpoint: JSON in, JSON out, one bounded request per call.
async function api(mode: 'answer' | 'hang', timeoutMs: number) {
  const { server, kc } = await fakeApiserverClient(t, mode)
  return { server, audit: createAuditApi(createRest(kc, timeoutMs), 'kubernaut-system') }
}

t.test('a marker is created in the server namespace with the token, as plain JSON', async (t) => {
  const { server, audit } = await api('answer', 5000)
  t.equal(await audit.createConfigMap({ metadata: { name: 'wfe-audit-record-0123456789abcdef' }, data: { subject: '{}' } }), 'created')
  const [req] = server.requests
  t.equal(req?.method, 'POST')
  t.equal(req?.url, '/api/v1/namespaces/kubernaut-system/configmaps')
  t.equal(req?.headers['authorization'], `Bearer ${TOKEN}`)
  t.match(req?.body, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'wfe-audit-record-0123456789abcdef' },
    data: { subject: '{}' },
  })
})

t.test('one keep-alive connection for many calls: no TLS handshake per marker, Lease renewal or Event', async (t) => {
  const { server, audit } = await api('answer', 5000)
  for (let i = 0; i < 5; i++) await audit.createConfigMap({ metadata: { name: `wfe-audit-record-${i}` }, data: {} })
  t.equal(server.requests.length, 5)
  t.equal(server.connections(), 1, 'client-node would open one per call')
  t.equal(server.requests[4]?.headers['authorization'], `Bearer ${TOKEN}`, 'credentials still applied per call')
})

t.test('an unexpected status is an ApiError with the code; a hung apiserver is a bounded failure', async (t) => {
  const { audit } = await api('answer', 5000)
  const err = await audit.readConfigMap('x').then(
    () => undefined,
    (e: unknown) => e,
  )
  t.ok(err instanceof ApiError, 'a 201 to a GET is not what a read expects')
  t.equal((err as ApiError).code, 201)
  const hung = await api('hang', 200)
  await t.rejects(hung.audit.createEvent('team-a', { metadata: { generateName: 'x.' } }))
})
