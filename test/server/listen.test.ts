import t, { type Test } from 'tap'
import { request as httpRequest } from 'node:http'
import { pino } from 'pino'
import { startServer, type RunningServer, type StartOptions } from '../../src/server/listen.js'
import { MUTATE_PATH, VALIDATE_PATH } from '../../src/server/admission.js'
import { applyTo, decodePatch } from '../helpers/patch.js'
import { waitFor } from '../helpers/wait.js'
import { makeTestPki, staticSource, type StaticSource } from '../helpers/tls.js'
import { call, keepAliveAgent, postJson } from '../helpers/https.js'
import { readUntilClose, tlsSocket } from '../helpers/raw-tls.js'
import { aRequest, aReview, aWorkflowExecution, testPolicy } from '../helpers/objects.js'

const pki = await makeTestPki()
const ca = pki.caPem
const quiet = pino({ level: 'silent' })

async function start(t: Test, extra: Partial<StartOptions> = {}, source: StaticSource = staticSource(pki)): Promise<RunningServer> {
  const server = await startServer({
    policy: testPolicy(),
    logger: quiet,
    source,
    host: '127.0.0.1',
    port: 0,
    probePort: 0,
    drainDelayMs: 0,
    shutdownTimeoutMs: 5000,
    ...extra,
  })
  t.teardown(() => server.shutdown('test over'))
  return server
}

function probeGet(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
      .on('error', reject)
      .end()
  })
}

t.test('over real HTTPS: the AdmissionReview contract', async (t) => {
  const server = await start(t)
  t.ok(server.port > 0 && server.probePort > 0 && server.port !== server.probePort)

  const create = aRequest({ object: aWorkflowExecution(), uid: 'https-uid-1' })
  const v = await postJson(server.port, VALIDATE_PATH, aReview(create), { ca })
  t.equal(v.status, 200)
  const vb = v.json()
  t.same([vb.apiVersion, vb.kind, vb.response.uid, vb.response.allowed], ['admission.k8s.io/v1', 'AdmissionReview', 'https-uid-1', true])
  t.notOk('patch' in vb.response, 'validate never patches')

  const beta = await postJson(server.port, VALIDATE_PATH, aReview(create, 'admission.k8s.io/v1beta1'), { ca })
  t.equal(beta.json().apiVersion, 'admission.k8s.io/v1beta1')

  const object = aWorkflowExecution()
  const m = (await postJson(server.port, MUTATE_PATH, aReview(aRequest({ object, uid: 'https-uid-2' })), { ca })).json().response
  t.equal(m.uid, 'https-uid-2')
  t.equal(m.patchType, 'JSONPatch')
  t.equal(applyTo(object, decodePatch(m.patch)).spec.executionConfig?.timeout, '30m0s', 'the patch applies')
})

t.test('the certificate source is attached, started and stopped', async (t) => {
  const source = staticSource(pki)
  const server = await start(t, {}, source)
  t.same(source.calls, { attach: 1, start: 1, stop: 0 })
  await server.shutdown()
  t.same(source.calls, { attach: 1, start: 1, stop: 1 })
  const refused = await call(server.port, VALIDATE_PATH, { ca, body: '{}' }).then(
    () => 'answered',
    (e: NodeJS.ErrnoException) => e.code,
  )
  t.equal(refused, 'ECONNREFUSED', 'the port is closed after shutdown')
  const probe = await probeGet(server.probePort, '/healthz').then(
    () => 'answered',
    (e: NodeJS.ErrnoException) => e.code,
  )
  t.equal(probe, 'ECONNREFUSED', 'and so is the probe port')
})

t.test('keep-alive: one socket carries many reviews, with a long idle timeout', async (t) => {
  const server = await start(t)
  const agent = keepAliveAgent(ca, 1)
  t.teardown(() => agent.destroy())
  const reused: boolean[] = []
  for (let i = 0; i < 4; i++) {
    const res = await postJson(server.port, VALIDATE_PATH, aReview(aRequest({ object: aWorkflowExecution(), uid: `ka-${i}` })), {
      ca,
      agent,
    })
    t.equal(res.json().response.uid, `ka-${i}`)
    t.equal(res.headers['connection'], 'keep-alive')
    t.equal(res.headers['keep-alive'], 'timeout=100', "longer than the apiserver's 90 s idle timeout")
    reused.push(res.reusedSocket)
  }
  t.same(reused, [false, true, true, true])
})

t.test('probes: /healthz, and /readyz false until TLS is healthy', async (t) => {
  const source = staticSource(pki, false)
  const server = await start(t, {}, source)
  t.equal((await probeGet(server.probePort, '/healthz')).status, 200)
  const notReady = await probeGet(server.probePort, '/readyz')
  t.equal(notReady.status, 503)
  t.match(notReady.text, /TLS certificate not healthy/)
  source.setHealthy(true)
  t.equal((await probeGet(server.probePort, '/readyz')).status, 200)
})

t.test('/metrics after real traffic: every series with the right labels', async (t) => {
  const server = await start(t)
  await postJson(server.port, VALIDATE_PATH, aReview(aRequest({ object: aWorkflowExecution() })), { ca })
  const old = aWorkflowExecution()
  const changed = aWorkflowExecution((w) => {
    w.spec.targetResource = 'payment/Deployment/x'
  })
  await postJson(server.port, VALIDATE_PATH, aReview(aRequest({ operation: 'UPDATE', object: changed, oldObject: old })), { ca })
  await postJson(server.port, MUTATE_PATH, aReview(aRequest({ object: aWorkflowExecution(), dryRun: true })), { ca })
  await call(server.port, MUTATE_PATH, { ca, body: 'nope' })
  server.metrics.tlsHooks.reload?.('success')
  server.metrics.effectHooks.event?.('error')
  const { status, text } = await probeGet(server.probePort, '/metrics')
  t.equal(status, 200)
  const V = 'webhook="/validate-workflowexecution"'
  const M = 'webhook="/mutate-workflowexecution"'
  for (const line of [
    `controller_runtime_webhook_requests_total{${V},code="200"} 2`,
    `controller_runtime_webhook_requests_total{${M},code="200"} 1`,
    `controller_runtime_webhook_requests_total{${M},code="400"} 1`,
    `controller_runtime_webhook_latency_seconds_count{${V}} 2`,
    `controller_runtime_webhook_latency_seconds_bucket{le="10",${M}} 2`,
    `controller_runtime_webhook_requests_in_flight{${V}} 0`,
    `wfe_admission_decisions_total{${V},operation="CREATE",subresource="",decision="allowed",dry_run="false"} 1`,
    `wfe_admission_decisions_total{${V},operation="UPDATE",subresource="",decision="denied",dry_run="false"} 1`,
    `wfe_admission_decisions_total{${M},operation="CREATE",subresource="",decision="allowed",dry_run="true"} 1`,
    'wfe_admission_tls_reloads_total{result="success"} 1',
    'wfe_admission_audit_events_total{result="error"} 1',
    `wfe_admission_tls_cert_not_after_seconds ${pki.notAfter.getTime() / 1000}`,
  ])
    t.ok(text.includes(line), line)
  t.match(text, /^wfe_admission_rule_violations_total\{rule="spec-immutable",severity="deny"\} 1$/m)
  t.match(text, /^process_resident_memory_bytes \d+/m)
})

t.test('graceful shutdown under a stream of concurrent reviews loses none', async (t) => {
  // The drain lasts until the test ends it (endDrain), so nothing here depends on the machine's speed.
  const server = await startServer({
    policy: testPolicy(),
    logger: quiet,
    source: staticSource(pki),
    host: '127.0.0.1',
    port: 0,
    probePort: 0,
    drainDelayMs: 600_000,
    shutdownTimeoutMs: 60_000,
  })
  let sending = true
  const results: { uid: string; got?: string; status?: number; error?: string; close?: boolean }[] = []
  const answered = (close?: boolean) => results.filter((r) => r.status !== undefined && (close === undefined || r.close === close)).length
  const worker = async (w: number) => {
    const agent = keepAliveAgent(ca, 1)
    for (let i = 0; sending; i++) {
      const uid = `w${w}-${i}`
      const r: (typeof results)[number] = { uid }
      results.push(r)
      try {
        const res = await postJson(server.port, VALIDATE_PATH, aReview(aRequest({ object: aWorkflowExecution(), uid })), { ca, agent })
        r.status = res.status
        r.got = res.json().response.uid
        r.close = res.headers['connection'] === 'close'
      } catch (err) {
        r.error = (err as Error).message
      }
    }
    agent.destroy()
  }
  const workers = Array.from({ length: 6 }, (_, w) => worker(w))
  await waitFor(() => answered() >= 12)

  // A review whose body is still arriving when the server stops accepting: it must be answered.
  const slow = await tlsSocket(server.port, ca)
  const slowBody = JSON.stringify(aReview(aRequest({ object: aWorkflowExecution(), uid: 'in-flight-at-close' })))
  const slowReading = readUntilClose(slow, 600_000)

  const stopped = server.shutdown('test')
  t.equal(server.readiness.shuttingDown, true, 'readiness false at once')
  // The endpoints controller takes the pod out of the Service early in the drain; clients stop
  // here, once the stream has had answers during the drain.
  await waitFor(() => answered(true) >= 6)
  sending = false
  await Promise.all(workers)
  t.equal(server.app.server.listening, true, 'still accepting until the drain delay is over')
  t.equal((await probeGet(server.probePort, '/readyz')).status, 503, '/readyz 503 during the drain')
  t.equal((await probeGet(server.probePort, '/healthz')).status, 200, '/healthz still 200 during the drain')
  slow.write(
    `POST ${VALIDATE_PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(slowBody)}\r\n\r\n${slowBody.slice(0, 100)}`,
  )
  server.endDrain()
  await waitFor(() => !server.app.server.listening)
  slow.write(slowBody.slice(100))
  const { text } = await slowReading
  await stopped

  t.match(text, /^HTTP\/1\.1 200 /, 'the in-flight review is answered after close began')
  t.match(text, /"uid":"in-flight-at-close"/)
  const failed = results.filter((r) => r.status !== 200 || r.got !== r.uid)
  t.same(failed, [], 'every review sent got its own answer')
  t.ok(answered(false) >= 12 && answered(true) >= 6, 'answers before the shutdown, and answers with Connection: close during the drain')
})
