import t from 'tap'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import {
  canonicalDuration,
  formatDuration,
  MAX_DURATION_NS,
  MIN_DURATION_NS,
  parseDurationNs,
  parseGoDuration,
} from '../../src/api/duration.js'

// Written by Go (test/cluster/tools/durations): the table is Go's answer, not ours.
interface Vectors {
  generatedBy: string
  parse: { in: string; ns?: string; string?: string; error?: boolean }[]
  format: { ns: string; string: string }[]
}
const vectors = JSON.parse(readFileSync(new URL('../fixtures/go-durations.json', import.meta.url), 'utf8')) as Vectors

t.test('parses every input exactly as time.ParseDuration does', async (t) => {
  t.ok(vectors.parse.length > 300, 'the table has the hand-picked and the random cases')
  for (const c of vectors.parse) {
    const got = parseDurationNs(c.in)
    if (c.error === true) t.equal(got, undefined, `${JSON.stringify(c.in)} is an error in Go`)
    else t.equal(got, BigInt(c.ns as string), `${JSON.stringify(c.in)} is ${c.ns}ns in Go`)
  }
})

t.test('formats and canonicalises as Duration.String() does', async (t) => {
  for (const c of vectors.format) t.equal(formatDuration(BigInt(c.ns)), c.string, `${c.ns}ns`)
  for (const c of vectors.parse) if (c.string !== undefined) t.equal(canonicalDuration(c.in), c.string, JSON.stringify(c.in))
})

t.test('the cases the issue names', async (t) => {
  t.equal(parseDurationNs('0.5ns'), 0n)
  t.equal(parseDurationNs('9223372036854775808ns'), undefined)
  t.equal(parseDurationNs('2562047h47m16.854775807s'), MAX_DURATION_NS)
  t.equal(parseDurationNs('-2562047h47m16.854775808s'), MIN_DURATION_NS)
  t.equal(canonicalDuration('30m'), '30m0s')
  t.equal(canonicalDuration('15m'), '15m0s')
  t.equal(canonicalDuration('90s'), '1m30s')
  t.equal(canonicalDuration('1h30m'), '1h30m0s')
  t.equal(canonicalDuration('+5m'), '5m0s')
  t.equal(canonicalDuration('1us'), '1µs')
  t.equal(parseGoDuration('1.5h'), 5400e9)
  for (const bad of ['', '-', '+', '10', '1d', '1h 30m', '.s', 'x'.repeat(100), 1 as unknown as string])
    t.equal(parseDurationNs(bad), undefined, JSON.stringify(bad))
})

t.test('property: format then parse is the identity on every time.Duration', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: MIN_DURATION_NS, max: MAX_DURATION_NS }), (ns) => parseDurationNs(formatDuration(ns)) === ns),
    { numRuns: 2000 },
  )
  t.throws(() => formatDuration(MAX_DURATION_NS + 1n), RangeError)
})

t.test('property: a canonical text is its own canonical form', async (t) => {
  fc.assert(
    fc.property(fc.stringMatching(/^[+-]?(\d{1,6}(\.\d{0,4})?(ns|us|µs|ms|s|m|h)){1,3}$/), (text) => {
      const c = canonicalDuration(text)
      return c === undefined || canonicalDuration(c) === c
    }),
    { numRuns: 1000 },
  )
  t.pass()
})
