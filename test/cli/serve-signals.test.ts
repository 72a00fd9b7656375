// Ctrl-C stops at once; SIGTERM keeps the drain delay Kubernetes endpoints need. Driven by emitted
// signals and log events, with a drain delay of an hour: a kept drain would never finish.
import t from 'tap'
import { EventEmitter, once } from 'node:events'
import { request as httpGet } from 'node:http'
import { pino } from 'pino'
import { shutdownOnSignal, startServer } from '../../src/server/listen.js'
import { VALIDATE_PATH } from '../../src/server/admission.js'
import { makeTestPki, staticSource } from '../helpers/tls.js'
import { postJson } from '../helpers/https.js'
import { aRequest, aReview, aWorkflowExecution, testPolicy } from '../helpers/objects.js'

const pki = await makeTestPki()
const HOUR_MS = 3_600_000

function logged() {
  const lines: Record<string, unknown>[] = []
  const events = new EventEmitter()
  const logger = pino(
    { level: 'info' },
    {
      write: (s: string) => {
        const rec = JSON.parse(s) as Record<string, unknown>
        lines.push(rec)
        events.emit(String(rec['msg']), rec)
      },
    },
  )
  return { logger, lines, events, msgs: () => lines.map((l) => l['msg']) }
}

const readyz = (port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
      .on('error', reject)
      .end()
  })

async function serving(log: ReturnType<typeof logged>) {
  return startServer({
    policy: testPolicy(),
    logger: log.logger,
    source: staticSource(pki),
    host: '127.0.0.1',
    port: 0,
    probePort: 0,
    drainDelayMs: HOUR_MS,
    shutdownTimeoutMs: 5000,
  })
}

t.test("SIGINT (a terminal's Ctrl-C): no drain delay, the server closes once in-flight reviews are answered", async (t) => {
  const log = logged()
  const server = await serving(log)
  const signals = new EventEmitter()
  const stopped = shutdownOnSignal(server, log.logger, signals)
  signals.emit('SIGINT', 'SIGINT')
  t.equal(await stopped, 'SIGINT')
  t.same(log.msgs(), [
    'SIGINT: no drain delay; closing once in-flight reviews are answered',
    'shutdown: readiness false, draining',
    'shutdown complete',
  ])
  t.equal(log.lines[1]?.['drainDelayMs'], 0)
  t.equal(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM'), 0, 'listeners removed once done')
})

t.test('SIGTERM keeps the drain (still answering, readiness false); a second signal ends it', async (t) => {
  const log = logged()
  const server = await serving(log)
  const signals = new EventEmitter()
  const draining = once(log.events, 'shutdown: readiness false, draining')
  const stopped = shutdownOnSignal(server, log.logger, signals)
  signals.emit('SIGTERM', 'SIGTERM')
  const [rec] = (await draining) as [Record<string, unknown>]
  t.equal(rec['drainDelayMs'], HOUR_MS, 'the configured drain delay')
  t.equal(await readyz(server.probePort), 503, 'readiness is false during the drain')
  const res = await postJson(server.port, VALIDATE_PATH, aReview(aRequest({ object: aWorkflowExecution(), uid: 'during-drain' })), {
    ca: pki.caPem,
  })
  t.equal(res.status, 200, 'reviews are still answered during the drain')
  t.equal(res.json().response.uid, 'during-drain')
  t.notOk(log.msgs().includes('shutdown complete'), 'still draining')
  signals.emit('SIGTERM', 'SIGTERM')
  t.equal(await stopped, 'SIGTERM')
  t.same(log.msgs(), [
    'shutdown: readiness false, draining',
    'second signal: ending the drain delay; closing once in-flight reviews are answered',
    'shutdown: drain delay ended early',
    'shutdown complete',
  ])
})
