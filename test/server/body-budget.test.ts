// The review-body budget: claims that fit go at once, others wait in order, a small review passes a
// waiting large one, and a withdrawn claim frees the queue. The default follows the Deployment.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import {
  createBodyBudget,
  DEFAULT_REVIEW_BYTES_IN_FLIGHT,
  DEPLOYMENT_MEMORY_LIMIT_BYTES,
  HEAP_BYTES_PER_BODY_BYTE,
  OLD_SPACE_CAP_BYTES,
  OUTSIDE_OLD_SPACE_BYTES,
  RSS_CEILING_BYTES,
  STEADY_HEAP_BYTES,
} from '../../src/server/body-budget.js'
import { MAX_REVIEW_BYTES } from '../../src/admission/review.js'

const MiB = 1024 * 1024

t.test('claims that fit are granted at once; the rest wait, first come first served', async (t) => {
  const b = createBodyBudget(40 * MiB)
  const granted: string[] = []
  const r1 = b.claim(20 * MiB, () => granted.push('a'))
  const r2 = b.claim(20 * MiB, () => granted.push('b'))
  const r3 = b.claim(20 * MiB, () => granted.push('c'))
  const r4 = b.claim(20 * MiB, () => granted.push('d'))
  t.same(granted, ['a', 'b'])
  t.equal(b.inFlight, 40 * MiB)
  t.equal(b.waiting, 2)
  r1()
  t.same(granted, ['a', 'b', 'c'])
  r1() // a second release gives nothing back twice
  t.equal(b.inFlight, 40 * MiB)
  r2()
  r3()
  t.same(granted, ['a', 'b', 'c', 'd'])
  r4()
  t.equal(b.inFlight, 0)
  t.equal(b.waiting, 0)
})

t.test('an ordinary review passes a waiting large one when it fits; a large one does not', async (t) => {
  const b = createBodyBudget(32 * MiB)
  const granted: string[] = []
  const big1 = b.claim(28 * MiB, () => granted.push('big1'))
  b.claim(28 * MiB, () => granted.push('big2'))
  const small = b.claim(10 * 1024, () => granted.push('small'))
  b.claim(2 * MiB, () => granted.push('medium'))
  t.same(granted, ['big1', 'small'], 'the 10 KiB review went ahead; the 2 MiB one (over 1/64) queued behind big2')
  small()
  big1()
  t.same(granted, ['big1', 'small', 'big2', 'medium'])
})

t.test('a waiting claim withdrawn (client gone) leaves the queue; the next one is granted', async (t) => {
  const b = createBodyBudget(30 * MiB)
  const granted: string[] = []
  const holder = b.claim(20 * MiB, () => granted.push('holder'))
  const gone = b.claim(28 * MiB, () => granted.push('gone'))
  b.claim(8 * MiB, () => granted.push('next'))
  t.same(granted, ['holder'])
  gone()
  t.same(granted, ['holder', 'next'], 'the head withdrew; the claim behind it fits and goes')
  t.equal(b.waiting, 0)
  holder()
  t.equal(b.inFlight, 8 * MiB)
})

t.test('a claim over the capacity is charged the capacity, so one maximal review always goes', async (t) => {
  const b = createBodyBudget(MAX_REVIEW_BYTES)
  let ran = false
  const r = b.claim(MAX_REVIEW_BYTES * 2, () => (ran = true))
  t.ok(ran)
  t.equal(b.inFlight, MAX_REVIEW_BYTES)
  r()
  t.throws(() => createBodyBudget(MAX_REVIEW_BYTES - 1), /smaller than the largest review/)
})

t.test('the default budget follows the Deployment memory limit, and holds one maximal review', async (t) => {
  const deployment = readFileSync(new URL('../../manifests/base/deployment.yaml', import.meta.url), 'utf8')
  t.match(deployment, new RegExp(`memory: ${DEPLOYMENT_MEMORY_LIMIT_BYTES / MiB}Mi`), 'manifests/base/deployment.yaml limit')
  const values = parse(readFileSync(new URL('../../charts/wfe-admission/values.yaml', import.meta.url), 'utf8')) as {
    resources: { limits: { memory: string } }
  }
  t.equal(values.resources.limits.memory, `${DEPLOYMENT_MEMORY_LIMIT_BYTES / MiB}Mi`, 'the chart default limit')
  const cap = `--max-old-space-size=${OLD_SPACE_CAP_BYTES / MiB}`
  t.match(deployment, cap, 'the Deployment caps the old generation as the arithmetic assumes')
  t.match(values, { nodeOptions: new RegExp(cap) }, 'so does the chart')
  t.equal(RSS_CEILING_BYTES, 0.75 * DEPLOYMENT_MEMORY_LIMIT_BYTES)
  t.ok(OLD_SPACE_CAP_BYTES + OUTSIDE_OLD_SPACE_BYTES <= RSS_CEILING_BYTES, 'old generation cap + the rest ≤ 75 % of the limit')
  t.ok(DEFAULT_REVIEW_BYTES_IN_FLIGHT >= MAX_REVIEW_BYTES)
  t.ok(STEADY_HEAP_BYTES + HEAP_BYTES_PER_BODY_BYTE * DEFAULT_REVIEW_BYTES_IN_FLIGHT <= OLD_SPACE_CAP_BYTES, 'the budget fits the heap')
})
