// Go's time.ParseDuration grammar ("90s", "30m", "1h30m", "1.5h", "-2m"), as metav1.Duration
// accepts it. Returns nanoseconds as a number, or undefined when the text is not a duration.

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
}

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y
/** Go rejects durations over ~292 years (int64 nanoseconds). */
const MAX_NS = 2 ** 63 - 1

export function parseGoDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return undefined
  let s = text
  let sign = 1
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1
    s = s.slice(1)
  }
  if (s === '0') return 0
  if (s === '') return undefined
  PART.lastIndex = 0
  let total = 0
  let pos = 0
  while (pos < s.length) {
    PART.lastIndex = pos
    const m = PART.exec(s)
    if (m === null) return undefined
    total += Number(m[1]) * (UNIT_NS[m[2] as string] as number)
    pos = PART.lastIndex
  }
  if (total > MAX_NS) return undefined
  return sign * total
}
