import t from 'tap'
import { createServer, type Server } from 'node:https'
import { pino, type Logger } from 'pino'
import type { CoreV1Event } from '@kubernetes/client-node'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { createAuditSink, startAuditWatch, WRITER_ANNOTATION, type EventsApi } from '../../src/effects/audit-watch.js'
import { clearanceKey, eventName, clearancesOf } from '../../src/effects/stored-clearance.js'
import { issueCa, issueLeaf } from '../../src/certs/generate.js'
import { aFailedExecution } from '../helpers/objects.js'
import { EFFECT } from './effect-fixture.js'
import { listenOnLoopback } from './fake-apiserver.js'
import { writeKubeconfig } from './fake-apiserver.js'

type Line = Record<string, unknown>
const NOW = new Date('2026-11-25T10:20:40Z')

function capture(): { lines: Line[]; audit: () => Line[]; logger: Logger; next: (msg: RegExp) => Promise<Line> } {
  const lines: Line[] = []
  const waiters: { re: RegExp; resolve: (l: Line) => void }[] = []
  const logger = pino(
    { level: 'info' },
    {
      write: (s: string) => {
        const l = JSON.parse(s) as Line
        lines.push(l)
        for (const w of waiters.filter((w) => w.re.test(String(l['msg'])))) w.resolve(l)
      },
    },
  )
  return {
    lines,
    logger,
    audit: () => lines.filter((l) => l['logger'] === 'audit'),
    next: (re) =>
      new Promise((resolve) => {
        const found = lines.find((l) => re.test(String(l['msg'])))
        if (found !== undefined) resolve(found)
        else waiters.push({ re, resolve })
      }),
  }
}

/** The Events API of one cluster, shared by every replica: a name is created once. */
function eventStore(): EventsApi & { events: Map<string, CoreV1Event>; creates: number; loseNextAnswer: boolean } {
  const store = {
    events: new Map<string, CoreV1Event>(),
    creates: 0,
    loseNextAnswer: false,
    create(e: CoreV1Event) {
      store.creates++
      const key = `${e.metadata?.namespace}/${e.metadata?.name}`
      if (store.events.has(key)) return Promise.reject(Object.assign(new Error('already exists'), { code: 409 }))
      store.events.set(key, structuredClone(e))
      if (store.loseNextAnswer) {
        store.loseNextAnswer = false
        return Promise.reject(new Error('socket hang up'))
      }
      return Promise.resolve()
    },
    read(ns: string, name: string) {
      const e = store.events.get(`${ns}/${name}`)
      return e === undefined ? Promise.reject(Object.assign(new Error('not found'), { code: 404 })) : Promise.resolve(structuredClone(e))
    },
  }
  return store
}

const cleared = (patch: (w: WorkflowExecution) => void = () => {}): WorkflowExecution =>
  aFailedExecution((w) => {
    w.status!.blockClearance = {
      clearedBy: EFFECT.actor.username,
      clearedAt: EFFECT.time,
      clearReason: EFFECT.reason,
      clearMethod: 'StatusField',
    }
    patch(w)
  })

function replica(api: EventsApi, logger: Logger, instance: string) {
  return createAuditSink({ logger, api, instance, now: () => NOW, backoffMs: () => 0 })
}

t.test('three replicas and a restart observe one stored clearance: one Event, one audit line', async (t) => {
  const api = eventStore()
  const { audit, logger } = capture()
  const replicas = ['a', 'b', 'c'].map((i) => replica(api, logger, `wfe-admission-${i}`))
  for (const r of replicas) for (let i = 0; i < 3; i++) r.observe('upsert', cleared())
  await Promise.all(replicas.map((r) => r.settled()))
  t.equal(api.events.size, 1)
  const [event] = [...api.events.values()]
  const record = clearancesOf(cleared())[0]!
  t.equal(event?.metadata?.name, eventName(record))
  t.match(event?.metadata?.name, /^wfe-payment-api-1\.[0-9a-f]{16}$/)
  t.equal(event?.reason, 'BlockCleared')
  t.same(event?.involvedObject, {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    name: 'wfe-payment-api-1',
    namespace: 'kubernaut-system',
    uid: '6f1c2d3e-0000-4000-8000-000000000001',
  })
  t.equal(audit().length, 1)
  t.match(audit()[0], {
    event: 'workflowexecution.block.cleared',
    actor: { username: 'alice@kubernaut.ai' },
    resource: { uid: '6f1c2d3e-0000-4000-8000-000000000001' },
    clearedAt: EFFECT.time,
    correlationId: 'rr-payment-api',
    eventName: event?.metadata?.name,
  })
  t.ok(api.creates <= 3, 'each replica remembers what it settled')

  const restarted = replica(api, logger, 'wfe-admission-a')
  restarted.observe('upsert', cleared())
  await restarted.settled()
  t.equal(audit().length, 1, 'a restart relists and finds the Event already there')
})

t.test('the admitting replica adds who (uid, groups) and the admission uid; others only log that it is stored', async (t) => {
  const api = eventStore()
  const { audit, lines, logger } = capture()
  const admitting = replica(api, logger, 'a')
  const other = replica(api, logger, 'b')
  admitting.expect(EFFECT)
  other.observe('upsert', cleared())
  await other.settled()
  admitting.observe('upsert', cleared())
  await admitting.settled()
  t.equal(audit().length, 1)
  t.equal(audit()[0]?.['observedBy'], 'b')
  t.notOk('admissionUid' in (audit()[0] ?? {}))
  t.ok(lines.some((l) => /audit record was written by another replica/.test(String(l['msg'])) && l['admissionUid'] === 'req-1'))

  const api2 = eventStore()
  const cap = capture()
  const only = replica(api2, cap.logger, 'a')
  only.expect(EFFECT)
  only.observe('upsert', cleared())
  await only.settled()
  t.match(cap.audit()[0], {
    actor: { username: 'alice@kubernaut.ai', uid: 'u-alice', groups: ['sre', 'system:authenticated'] },
    admissionUid: 'req-1',
  })
  only.stop()
})

t.test('an admitted clearance that is never stored writes no audit record, and the log says so', async (t) => {
  const api = eventStore()
  const { audit, logger, next } = capture()
  const sink = createAuditSink({ logger, api, instance: 'a', now: () => NOW, pendingTimeoutMs: 1 })
  sink.expect(EFFECT)
  // The sink's timer is unref'd (it must not hold a server open); this keeps the test alive meanwhile.
  const alive = setInterval(() => {}, 1000)
  const warned = await next(/admitted but not observed stored/)
  clearInterval(alive)
  t.match(warned, { admissionUid: 'req-1', resource: { uid: EFFECT.resource.uid } })
  t.equal(api.events.size, 0)
  t.same(audit(), [])
  sink.observe('upsert', aFailedExecution())
  await sink.settled()
  t.same(audit(), [], 'a stored object without a clearance records nothing')
})

t.test("Flow 2: the annotation and the controller's copy into status are one clearance", async (t) => {
  const api = eventStore()
  const { audit, logger } = capture()
  const sink = replica(api, logger, 'a')
  const annotations = {
    'kubernaut.ai/clear-execution-block': EFFECT.reason,
    'kubernaut.ai/clear-execution-block-by': EFFECT.actor.username,
    'kubernaut.ai/clear-execution-block-at': EFFECT.time,
  }
  sink.observe(
    'upsert',
    aFailedExecution((w) => {
      w.metadata.annotations = annotations
    }),
  )
  await sink.settled()
  const restarted = replica(api, logger, 'b')
  restarted.observe(
    'upsert',
    cleared((w) => {
      w.metadata.annotations = annotations
      w.status!.blockClearance!.clearMethod = 'Annotation'
    }),
  )
  await restarted.settled()
  t.equal(api.events.size, 1)
  t.equal(audit().length, 1)
  t.equal(audit()[0]?.['method'], 'Annotation')
  t.equal(
    clearanceKey(EFFECT.resource.uid!, EFFECT.actor.username, '2026-11-25T10:20:30.000Z', EFFECT.reason),
    clearancesOf(cleared())[0]?.key,
    'the same instant written two ways is one key',
  )
})

t.test('deleting a still-blocked execution is recorded once; deleting a cleared one is not', async (t) => {
  const api = eventStore()
  const { audit, logger } = capture()
  const a = replica(api, logger, 'a')
  const b = replica(api, logger, 'b')
  a.observe('delete', cleared())
  for (const r of [a, b])
    r.observe(
      'delete',
      aFailedExecution((w) => {
        w.metadata.ownerReferences = [
          { apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: 'rr-payment-api', uid: 'rr-uid' },
        ]
      }),
    )
  await Promise.all([a.settled(), b.settled()])
  t.equal(api.events.size, 1)
  const [event] = [...api.events.values()]
  t.equal(event?.reason, 'BlockedExecutionDeleted')
  t.equal(event?.type, 'Warning')
  t.equal(audit().length, 1)
  t.equal(audit()[0]?.['event'], 'workflowexecution.block.deleted')
})

t.test('a create whose answer was lost is recognised as ours on retry; a clearance older than the replay window is skipped', async (t) => {
  const api = eventStore()
  api.loseNextAnswer = true
  const { audit, logger } = capture()
  const sink = replica(api, logger, 'a')
  sink.observe('upsert', cleared())
  await sink.settled()
  t.equal(audit().length, 1)
  t.equal([...api.events.values()][0]?.metadata?.annotations?.[WRITER_ANNOTATION]?.startsWith('a/'), true)

  const late = createAuditSink({ logger, api: eventStore(), instance: 'a', now: () => new Date('2026-11-25T12:00:00Z') })
  late.observe('upsert', cleared())
  await late.settled()
  t.equal(audit().length, 1, "past the Events' lifetime a replay would duplicate, so it is not written")
})

/** A loopback apiserver: LIST answers with the given objects, WATCH stays open, Events are created once. */
async function startListWatchApiserver(
  items: WorkflowExecution[],
): Promise<{ url: string; caPem: string; posts: CoreV1Event[]; posted(n: number): Promise<void>; close(): Promise<void> }> {
  const ca = await issueCa({ commonName: 'fake-apiserver-ca' })
  const leaf = await issueLeaf({ ca, commonName: '127.0.0.1', ips: ['127.0.0.1'], usage: 'server' })
  const posts: CoreV1Event[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  const server: Server = createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = req.url ?? ''
      if (req.method === 'GET' && url.startsWith('/apis/kubernaut.ai/v1alpha1/workflowexecutions')) {
        if (url.includes('watch=true')) {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.flushHeaders()
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({ apiVersion: 'kubernaut.ai/v1alpha1', kind: 'WorkflowExecutionList', metadata: { resourceVersion: '7' }, items }),
        )
        return
      }
      if (req.method === 'POST' && /\/api\/v1\/namespaces\/[^/]+\/events/.test(url)) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CoreV1Event
        const exists = posts.some((p) => p.metadata?.name === body.metadata?.name)
        posts.push(body)
        for (const w of waiters.filter((w) => posts.length >= w.n)) w.resolve()
        res.writeHead(exists ? 409 : 201, { 'content-type': 'application/json' })
        res.end(JSON.stringify(exists ? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409 } : body))
        return
      }
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }))
    })
  })
  const { url, close } = await listenOnLoopback(server)
  return {
    url,
    caPem: ca.cert,
    posts,
    posted: (n) => (posts.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close,
  }
}

t.test('the real client: list, watch, and one Event with the derived name per stored clearance', async (t) => {
  const server = await startListWatchApiserver([
    cleared(),
    aFailedExecution((w) => {
      w.metadata.name = 'wfe-other'
      w.metadata.uid = 'other-uid'
    }),
  ])
  t.teardown(() => server.close())
  const kubeconfig = await writeKubeconfig(server.url, server.caPem)
  t.teardown(() => kubeconfig.cleanup())
  const { audit, logger, next } = capture()
  const watch = await startAuditWatch({ logger, kubeconfigPath: kubeconfig.path, timeoutMs: 10_000, instance: 'a', now: () => NOW })
  if (watch === undefined) throw new Error('expected a watch')
  await server.posted(1)
  await next(/workflowexecution block cleared/)
  await watch.close()
  t.equal(server.posts.length, 1, 'only the cleared execution is recorded')
  t.equal(server.posts[0]?.metadata?.name, eventName(clearancesOf(cleared())[0]!))
  t.equal(audit().length, 1)
  t.equal(await startAuditWatch({ logger, timeoutMs: 1000, inCluster: false }), undefined, 'no API configured: no watch')
})
