import t from 'tap'
import { pino, type Logger } from 'pino'
import Fastify from 'fastify'
import type { AdmissionRequest, BlockClearedEffect } from '../../src/admission/types.js'
import { admit } from '../../src/admission/admit.js'
import type { EffectRunner } from '../../src/effects/contract.js'
import { createEventWriter, type EventWriter } from '../../src/effects/events.js'
import { createEffectRunner } from '../../src/effects/run.js'
import { aFailedExecution, aRequest, OPERATOR, testPolicy } from '../helpers/objects.js'
import { EFFECT } from './effect-fixture.js'
import { startFakeApiserver, writeKubeconfig, type FakeApiserver } from './fake-apiserver.js'

type Line = Record<string, unknown>

function capture(): { lines: Line[]; audit: () => Line[]; logger: Logger } {
  const lines: Line[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as Line) })
  return { lines, logger, audit: () => lines.filter((l) => l['logger'] === 'audit') }
}

function counter(): { results: string[]; hooks: { event: (r: 'success' | 'error') => void } } {
  const results: string[] = []
  return { results, hooks: { event: (r) => results.push(r) } }
}

function request(dryRun: boolean): AdmissionRequest {
  return aRequest({ operation: 'UPDATE', subResource: 'status', object: aFailedExecution(), oldObject: aFailedExecution(), userInfo: OPERATOR, dryRun })
}

function effectFor(name: string): BlockClearedEffect {
  return { ...EFFECT, resource: { ...EFFECT.resource, name } }
}

async function realWriter(t: { teardown(fn: () => unknown): void }, server: FakeApiserver | { url: string; caPem: string }, timeoutMs = 10_000): Promise<EventWriter> {
  const kubeconfig = await writeKubeconfig(server.url, server.caPem)
  t.teardown(() => kubeconfig.cleanup())
  const writer = await createEventWriter({ kubeconfigPath: kubeconfig.path, timeoutMs })
  if (writer === undefined) throw new Error('expected a writer')
  return writer
}

/** An EventWriter that records calls and leaves them pending until told otherwise. */
function recordingWriter(): EventWriter & { calls: BlockClearedEffect[]; signals: (AbortSignal | undefined)[] } {
  const calls: BlockClearedEffect[] = []
  const signals: (AbortSignal | undefined)[] = []
  return {
    calls,
    signals,
    write: (effect, signal) => {
      calls.push(effect)
      signals.push(signal)
      return Promise.resolve()
    },
  }
}

t.test('dryRun: no audit line and no Event request; the same effects without dryRun produce both', async (t) => {
  const server = await startFakeApiserver('answer')
  t.teardown(() => server.close())
  const { audit, logger } = capture()
  const { results, hooks } = counter()
  const run = createEffectRunner({ logger, events: await realWriter(t, server), hooks })

  run(request(true), [effectFor('dry-run-wfe')])
  t.same(audit(), [], 'no audit line')
  t.equal(run.pending(), 0, 'no Event write started')

  run(request(false), [effectFor('real-wfe')])
  await run.settled()
  t.equal(server.requests.length, 1, 'exactly one Event request: the dry run sent none')
  t.equal((server.requests[0]?.body as { involvedObject: { name: string } }).involvedObject.name, 'real-wfe')
  t.equal(audit().length, 1)
  t.same(results, ['success'])
})

t.test('through admit(): a dry-run clearance has the same verdict and patch, and leaves no trace', async (t) => {
  const writer = recordingWriter()
  const { audit, logger } = capture()
  const run = createEffectRunner({ logger, events: writer })
  const object = aFailedExecution((w) => { w.status!.blockClearance = { clearReason: EFFECT.reason, clearedBy: 'mallory', clearMethod: 'StatusField' } })
  const spec = { operation: 'UPDATE' as const, subResource: 'status', object, oldObject: aFailedExecution(), userInfo: OPERATOR, uid: 'same' }
  const dryReq = aRequest({ ...spec, dryRun: true })
  const wetReq = aRequest({ ...spec, dryRun: false })
  const dry = admit(dryReq, testPolicy(), 'mutate')
  const wet = admit(wetReq, testPolicy(), 'mutate')
  t.same(dry.response, wet.response)
  t.ok(dry.response.patch, 'there is a patch')

  run(dryReq, dry.effects)
  t.same(audit(), [])
  t.same(writer.calls, [])

  run(wetReq, wet.effects)
  await run.settled()
  t.equal(audit().length, 1)
  t.equal(audit()[0]?.['admissionUid'], 'same')
  t.equal((audit()[0]?.['actor'] as { username: string }).username, 'alice@kubernaut.ai')
  t.equal(writer.calls.length, 1)
})

t.test('the audit line is written before the runner returns; the Event follows asynchronously', async (t) => {
  const server = await startFakeApiserver('answer')
  t.teardown(() => server.close())
  const { audit, logger } = capture()
  const { results, hooks } = counter()
  const run: EffectRunner = createEffectRunner({ logger, events: await realWriter(t, server), hooks })
  const effects = [effectFor('wfe-a'), effectFor('wfe-b')]
  run(request(false), effects)
  t.same(audit().map((l) => (l['resource'] as { name: string }).name), ['wfe-a', 'wfe-b'], 'both audit lines already written')
  t.equal(server.requests.length, 0, 'no Event has been sent yet when the runner returns')
  await server.received(2)
  t.same(server.requests.map((r) => (r.body as { involvedObject: { name: string } }).involvedObject.name).sort(), ['wfe-a', 'wfe-b'])
  t.same(server.requests.map((r) => r.url), ['/api/v1/namespaces/kubernaut-system/events', '/api/v1/namespaces/kubernaut-system/events'])
  await (run as ReturnType<typeof createEffectRunner>).settled()
  t.same(results, ['success', 'success'])
})

t.test('no effects, or no Event writer: nothing beyond the audit lines', async (t) => {
  const { lines, logger } = capture()
  const run = createEffectRunner({ logger })
  run(request(false), [])
  t.same(lines, [])
  run(request(false), [EFFECT])
  t.equal(lines.length, 1)
  t.equal(run.pending(), 0)
})

t.test('an Event endpoint that is down neither delays nor fails the runner, and is counted and logged', async (t) => {
  const gone = await startFakeApiserver('answer')
  await gone.close()
  const { audit, lines, logger } = capture()
  const { results, hooks } = counter()
  const run = createEffectRunner({ logger, events: await realWriter(t, gone), hooks })
  t.doesNotThrow(() => run(request(false), [EFFECT]))
  t.equal(audit().length, 1, 'the audit line is written regardless')
  t.equal(run.pending(), 1, 'the write is in the background')
  t.same(results, [], 'and not finished when the runner returns')
  await run.settled()
  t.same(results, ['error'])
  const failure = lines.find((l) => l['msg'] === 'BlockCleared Event write failed')
  t.ok(failure, 'the failure is logged')
  t.equal(failure?.['admissionUid'], 'req-1')
  t.equal(failure?.['level'], 40)
})

t.test('an Event endpoint that never answers is cut off at the timeout, counted, and frees its slot', async (t) => {
  const server = await startFakeApiserver('hang')
  t.teardown(() => server.close())
  const { audit, lines, logger } = capture()
  const { results, hooks } = counter()
  const run = createEffectRunner({ logger, events: await realWriter(t, server, 60_000), hooks, timeoutMs: 300 })
  run(request(false), [EFFECT])
  t.equal(audit().length, 1)
  t.equal(run.pending(), 1)
  await server.received(1)
  await run.settled()
  t.equal(run.pending(), 0)
  t.same(results, ['error'])
  t.match((lines.find((l) => l['msg'] === 'BlockCleared Event write failed')?.['err'] as { message: string }).message, /timed out after 300ms/)
})

t.test('Event writes in flight are bounded: past the bound a write is dropped and counted', async (t) => {
  const { audit, lines, logger } = capture()
  const { results, hooks } = counter()
  const signals: AbortSignal[] = []
  const stuck: EventWriter = { write: (_e, signal) => { if (signal) signals.push(signal); return new Promise(() => {}) } }
  const run = createEffectRunner({ logger, events: stuck, hooks, maxInFlight: 2, timeoutMs: 200 })
  run(request(false), [effectFor('a'), effectFor('b'), effectFor('c')])
  t.equal(audit().length, 3, 'every clearance is audited')
  t.equal(run.pending(), 2)
  t.same(results, ['error'], 'the third is dropped at once')
  t.ok(lines.some((l) => l['msg'] === 'BlockCleared Event dropped: too many Event writes in flight' && l['maxInFlight'] === 2))
  await run.settled()
  t.same(results, ['error', 'error', 'error'], 'writes that ignore their signal still time out')
  t.equal(signals.length, 2)
  t.ok(signals.every((s) => s.aborted), 'and their signals were aborted')
})

t.test('a writer that throws synchronously or a hook that throws never reaches the caller', async (t) => {
  const { logger, lines } = capture()
  const { results, hooks } = counter()
  const throwing: EventWriter = { write: () => { throw new Error('boom') } }
  const run = createEffectRunner({ logger, events: throwing, hooks })
  t.doesNotThrow(() => run(request(false), [EFFECT]))
  await run.settled()
  t.same(results, ['error'])

  const angry = createEffectRunner({ logger, events: recordingWriter(), hooks: { event: () => { throw new Error('metrics down') } } })
  angry(request(false), [EFFECT])
  await angry.settled()
  t.ok(lines.some((l) => l['msg'] === 'effect hook threw'))
})

t.test('a malformed call is ignored rather than thrown', async (t) => {
  const { lines, logger } = capture()
  const run = createEffectRunner({ logger })
  t.doesNotThrow(() => run(undefined as unknown as AdmissionRequest, [EFFECT]))
  t.doesNotThrow(() => run(request(false), undefined as unknown as BlockClearedEffect[]))
  t.equal(lines.filter((l) => l['logger'] === 'audit').length, 1, 'a missing request is not a dry run')
})

t.test("fastify's app.log works as the runner's logger (what the server passes)", async (t) => {
  const lines: Line[] = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (s: string) => lines.push(JSON.parse(s) as Line) } } })
  t.teardown(() => app.close())
  const run = createEffectRunner({ logger: app.log })
  run(request(false), [EFFECT])
  const line = lines.find((l) => l['logger'] === 'audit')
  t.equal(line?.['event'], 'workflowexecution.block.cleared')
  t.equal(line?.['clearedAt'], EFFECT.time)
})
