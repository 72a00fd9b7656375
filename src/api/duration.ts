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

/**
 * Nanoseconds as Go's time.ParseDuration reads `text`, or undefined where Go returns an error. No
 * length cap: Go accepts any number of leading zeros and fraction digits, and the values stay
 * below 2^64, so the work is linear in the (body-limited) text.
 */
export function parseDurationNs(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined
  let s = text
  let neg = false
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-'
    s = s.slice(1)
  }
  if (s === '0') return 0n
  if (s === '') return undefined
  let d = 0n
  let i = 0
  while (i < s.length) {
    if (!(s[i] === '.' || isDigit(s[i]))) return undefined
    // leadingInt: fails past 1<<63.
    const intStart = i
    let v = 0n
    while (isDigit(s[i])) {
      if (v > LIMIT / 10n) return undefined
      v = v * 10n + BigInt(s.charCodeAt(i) - 48)
      if (v > LIMIT) return undefined
      i++
    }
    const pre = i !== intStart
    // leadingFraction: stops accumulating (silently) once another digit would overflow.
    let f = 0n
    let scale = 1
    let post = false
    if (s[i] === '.') {
      i++
      const fracStart = i
      let overflow = false
      while (isDigit(s[i])) {
        if (!overflow) {
          if (f > (LIMIT - 1n) / 10n) overflow = true
          else {
            const y = f * 10n + BigInt(s.charCodeAt(i) - 48)
            if (y > LIMIT) overflow = true
            else {
              f = y
              scale *= 10
            }
          }
        }
        i++
      }
      post = i !== fracStart
    }
    if (!pre && !post) return undefined
    const unitStart = i
    while (i < s.length && s[i] !== '.' && !isDigit(s[i])) i++
    if (i === unitStart) return undefined
    const unit = UNIT_NS.get(s.slice(unitStart, i))
    if (unit === undefined) return undefined
    if (v > LIMIT / unit) return undefined
    v *= unit
    if (f > 0n) {
      // Go: v += uint64(float64(f) * (float64(unit) / scale)). JS numbers are float64 and
      // Number(bigint) rounds to nearest like Go's conversion; the product is at most 3.6e12.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)))
      if (v > LIMIT) return undefined
    }
    d += v
    if (d > LIMIT) return undefined
  }
  if (neg) return -d
  if (d > LIMIT - 1n) return undefined
  return d
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
