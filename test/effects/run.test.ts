import t from 'tap'
import { pino, type Logger } from 'pino'
import Fastify from 'fastify'
import type { AdmissionRequest, BlockClearedEffect, Effect } from '../../src/admission/types.js'
import { admit } from '../../src/admission/admit.js'
import { ADMITTED_MESSAGE, createEffectRunner, NO_WATCH_MESSAGE } from '../../src/effects/run.js'
import { aFailedExecution, aRequest, OPERATOR, testPolicy } from '../helpers/objects.js'
import { EFFECT } from './effect-fixture.js'

// The runner writes no audit record (an admitted write may still fail): it logs the admission and
// hands the clearance to the audit watch, which records it once the commit is observed.
type Line = Record<string, unknown>

function capture(): { lines: Line[]; logger: Logger } {
  const lines: Line[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as Line) })
  return { lines, logger }
}

function recordingWatch(): {
  expected: Effect[]
  closed: number
  admitted(e: Effect): void
  settled(): Promise<void>
  close(): Promise<void>
} {
  const w = {
    expected: [] as Effect[],
    closed: 0,
    admitted: (e: Effect) => void w.expected.push(e),
    settled: () => Promise.resolve(),
    close: () => {
      w.closed++
      return Promise.resolve()
    },
  }
  return w
}

function request(dryRun: boolean): AdmissionRequest {
  return aRequest({
    operation: 'UPDATE',
    subResource: 'status',
    object: aFailedExecution(),
    oldObject: aFailedExecution(),
    userInfo: OPERATOR,
    dryRun,
  })
}

t.test('through admit(): a dry-run clearance has the same verdict and patch, and leaves no trace', async (t) => {
  const watch = recordingWatch()
  const { lines, logger } = capture()
  const run = createEffectRunner({ logger, evidence: watch })
  const object = aFailedExecution((w) => {
    w.status!.blockClearance = { clearReason: EFFECT.reason, clearedBy: 'mallory', clearMethod: 'StatusField' }
  })
  const spec = {
    operation: 'UPDATE' as const,
    subResource: 'status',
    object,
    oldObject: aFailedExecution(),
    userInfo: OPERATOR,
    uid: 'same',
  }
  const dryReq = aRequest({ ...spec, dryRun: true })
  const wetReq = aRequest({ ...spec, dryRun: false })
  const dry = admit(dryReq, testPolicy(), 'mutate')
  const wet = admit(wetReq, testPolicy(), 'mutate')
  t.same(dry.response, wet.response)
  t.ok(dry.response.patch, 'there is a patch')

  run(dryReq, dry.effects)
  t.same(lines, [])
  t.same(watch.expected, [])

  run(wetReq, wet.effects)
  t.equal(watch.expected.length, 1, 'handed to the watch')
  t.equal(watch.expected[0]?.admissionUid, 'same')
  t.equal(lines.length, 1)
  t.equal(lines[0]?.['msg'], ADMITTED_MESSAGE)
  t.equal(lines[0]?.['admissionUid'], 'same')
  t.equal(lines.filter((l) => l['logger'] === 'audit').length, 0, 'an admission is not an audit record')
  await run.close()
  t.equal(watch.closed, 1)
})

t.test('without a watch the admission log says no audit record will be written', async (t) => {
  const { lines, logger } = capture()
  const run = createEffectRunner({ logger })
  run(request(false), [EFFECT])
  t.equal(lines[0]?.['msg'], NO_WATCH_MESSAGE)
  t.same((lines[0]?.['actor'] as Line)['username'], 'alice@kubernaut.ai')
  t.equal((lines[0]?.['actor'] as Line)['groups'], undefined, 'groups and extra stay out of operational logs')
  await run.settled()
  await run.close()
})

t.test('a malformed call, or a watch that throws, never reaches the caller', async (t) => {
  const { lines, logger } = capture()
  const run = createEffectRunner({
    logger,
    evidence: {
      admitted: () => {
        throw new Error('boom')
      },
      settled: () => Promise.resolve(),
    },
  })
  t.doesNotThrow(() => run(undefined as unknown as AdmissionRequest, [EFFECT]))
  t.doesNotThrow(() => run(request(false), undefined as unknown as BlockClearedEffect[]))
  t.ok(lines.some((l) => l['msg'] === 'admitted effect could not be handed to the audit recorder'))
})

t.test("fastify's app.log works as the runner's logger (what the server passes)", async (t) => {
  const lines: Line[] = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (s: string) => lines.push(JSON.parse(s) as Line) } } })
  t.teardown(() => app.close())
  const run = createEffectRunner({ logger: app.log })
  run(request(false), [EFFECT])
  t.equal(lines.find((l) => l['msg'] === NO_WATCH_MESSAGE)?.['clearedAt'], EFFECT.time)
})
