// Go's time.ParseDuration and time.Duration.String(), step for step, in integers: metav1.Duration
// decodes with the first and encodes with the second, so a value the webhook writes or accepts must
// mean to us exactly what it means to a Go controller. Parsing follows Go's own algorithm, including
// its uint64 overflow checks and the one float64 product it uses for fractions (so "0.5ns" is 0 and
// "9223372036854775808ns" is an error); test/fixtures/go-durations.json, written by Go, is the judge.

const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
])

const LIMIT = 1n << 63n
/** The largest time.Duration, "2562047h47m16.854775807s". */
export const MAX_DURATION_NS = LIMIT - 1n
/** The smallest time.Duration, "-2562047h47m16.854775808s". */
export const MIN_DURATION_NS = -LIMIT

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

/** Where the parse is in the text: Go's ParseDuration consumes `s` from the front, this moves `i`. */
interface Cursor {
  readonly s: string
  i: number
}

/** Go's leadingInt: the digits at the cursor, or undefined once the value passes 1<<63. */
function leadingInt(c: Cursor): { value: bigint; digits: boolean } | undefined {
  const start = c.i
  let value = 0n
  while (isDigit(c.s[c.i])) {
    if (value > LIMIT / 10n) return undefined
    value = value * 10n + BigInt(c.s.charCodeAt(c.i) - 48)
    if (value > LIMIT) return undefined
    c.i++
  }
  return { value, digits: c.i !== start }
}

/**
 * Go's leadingFraction: the digits at the cursor as `value / scale`; once another digit would
 * overflow it stops accumulating (silently) but still consumes the digits.
 */
function leadingFraction(c: Cursor): { value: bigint; scale: number; digits: boolean } {
  const start = c.i
  let value = 0n
  let scale = 1
  let overflow = false
  while (isDigit(c.s[c.i])) {
    if (!overflow) {
      if (value > (LIMIT - 1n) / 10n) overflow = true
      else {
        const y = value * 10n + BigInt(c.s.charCodeAt(c.i) - 48)
        if (y > LIMIT) overflow = true
        else {
          value = y
          scale *= 10
        }
      }
    }
    c.i++
  }
  return { value, scale, digits: c.i !== start }
}

/** One `<number><unit>` term at the cursor, in nanoseconds; undefined where Go returns an error. */
function term(c: Cursor): bigint | undefined {
  if (!(c.s[c.i] === '.' || isDigit(c.s[c.i]))) return undefined
  const whole = leadingInt(c)
  if (whole === undefined) return undefined
  let fraction = { value: 0n, scale: 1, digits: false }
  if (c.s[c.i] === '.') {
    c.i++
    fraction = leadingFraction(c)
  }
  if (!whole.digits && !fraction.digits) return undefined
  const unitStart = c.i
  while (c.i < c.s.length && c.s[c.i] !== '.' && !isDigit(c.s[c.i])) c.i++
  if (c.i === unitStart) return undefined
  const unit = UNIT_NS.get(c.s.slice(unitStart, c.i))
  if (unit === undefined) return undefined
  if (whole.value > LIMIT / unit) return undefined
  let v = whole.value * unit
  if (fraction.value > 0n) {
    // Go: v += uint64(float64(f) * (float64(unit) / scale)). JS numbers are float64 and
    // Number(bigint) rounds to nearest like Go's conversion; the product is at most 3.6e12.
    v += BigInt(Math.trunc(Number(fraction.value) * (Number(unit) / fraction.scale)))
    if (v > LIMIT) return undefined
  }
  return v
}

/**
 * Nanoseconds as Go's time.ParseDuration reads `text`, or undefined where Go returns an error. No
 * length cap: Go accepts any number of leading zeros and fraction digits, and the values stay
 * below 2^64, so the work is linear in the (body-limited) text.
 */
export function parseDurationNs(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined
  const signed = text !== '' && (text[0] === '-' || text[0] === '+')
  const neg = signed && text[0] === '-'
  const s = signed ? text.slice(1) : text
  if (s === '0') return 0n
  if (s === '') return undefined
  const c: Cursor = { s, i: 0 }
  let d = 0n
  while (c.i < s.length) {
    const v = term(c)
    if (v === undefined) return undefined
    d += v
    if (d > LIMIT) return undefined
  }
  if (neg) return -d
  return d > LIMIT - 1n ? undefined : d
}

/** Nanoseconds as a number (exact below 2^53 ns, about 104 days), or undefined where Go fails. */
export function parseGoDuration(text: string): number | undefined {
  const ns = parseDurationNs(text)
  return ns === undefined ? undefined : Number(ns)
}

/** The digits of v / 10^prec after the point, trailing zeros dropped ("" when none), and v / 10^prec. */
function frac(v: bigint, prec: number): [string, bigint] {
  let digits = ''
  let printed = false
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n
    printed = printed || digit !== 0n
    if (printed) digits = String(digit) + digits
    v /= 10n
  }
  return [printed ? `.${digits}` : '', v]
}

/** Go's time.Duration(ns).String(): "1h30m0s", "1.5s", "250ms", "1µs", "0s". */
export function formatDuration(ns: bigint): string {
  if (ns < MIN_DURATION_NS || ns > MAX_DURATION_NS) throw new RangeError(`${ns}ns is outside time.Duration`)
  const neg = ns < 0n
  let u = neg ? -ns : ns
  let out: string
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s'
    let unit: string
    let prec: number
    if (u < 1_000n) [unit, prec] = ['ns', 0]
    else if (u < 1_000_000n) [unit, prec] = ['µs', 3]
    else [unit, prec] = ['ms', 6]
    const [f, whole] = frac(u, prec)
    out = `${whole}${f}${unit}`
  } else {
    const [f, seconds] = frac(u, 9)
    u = seconds
    out = `${u % 60n}${f}s`
    u /= 60n
    if (u > 0n) {
      out = `${u % 60n}m${out}`
      u /= 60n
      if (u > 0n) out = `${u}h${out}`
    }
  }
  return neg ? `-${out}` : out
}

/** The text a Go client writes back for `text` (metav1.Duration round-trip), or undefined if Go cannot read it. */
export function canonicalDuration(text: unknown): string | undefined {
  const ns = parseDurationNs(text)
  return ns === undefined ? undefined : formatDuration(ns)
}

/** Go's grammar without its range: text that matches it yet fails to parse is out of range. */
const SHAPE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/

/** Why Go would not accept `text` as a (positive, when asked) duration, as a field-error detail; undefined when it would. */
export function durationProblem(text: string, positive: boolean): string | undefined {
  const ns = parseDurationNs(text)
  if (ns === undefined) {
    return SHAPE.test(text)
      ? `must be at most ${formatDuration(MAX_DURATION_NS)} (Go's time.Duration, int64 nanoseconds); a Go client cannot decode more`
      : 'must be a Go duration with a unit, such as 90s, 30m or 1h30m'
  }
  if (positive && ns <= 0n)
    return ns === 0n && text !== '0s' ? 'must be greater than zero (Go reads it as 0s)' : 'must be greater than zero'
  return undefined
}
