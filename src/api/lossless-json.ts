// JSON numbers as Go reads them, without giving up JSON.parse's speed. The apiserver and Go
// controllers hold integers as int64; a JavaScript number holds integers exactly only up to 2^53,
// so 9007199254740992 and 9007199254740993 parse to the same double and a change from one to the
// other would look like no change. Values stay plain numbers (every rule, CEL and the schema walker
// see what they always saw); the exact value of an integer a double cannot hold is kept on the side,
// keyed by the object or array holding it, for the comparisons that must be exact (semantic-equal).
//
// Cost: a body with no such integer is one regular-expression scan plus JSON.parse. A body that may
// hold one (a digit run of 16 or more after `:`, `,` or `[`) is tokenised once, and the integers a
// double cannot hold are swapped for marker strings that a reviver turns back into numbers.
import { randomBytes } from 'node:crypto'

/** Exact values, per holder and key (property name or array index as a string). */
const EXACT = new WeakMap<object, Map<string, bigint>>()

/** The exact integer at holder[key] when a double could not hold it; undefined otherwise. */
export function exactInteger(holder: object, key: string | number): bigint | undefined {
  return EXACT.get(holder)?.get(String(key))
}

/** Records that holder[key] is exactly `value` (YAML and JSON readers call this). */
export function recordExactInteger(holder: object, key: string | number, value: bigint): void {
  let m = EXACT.get(holder)
  if (m === undefined) EXACT.set(holder, (m = new Map<string, bigint>()))
  m.set(String(key), value)
}

/** True when two values at their holders are the same number, exactly. */
export function sameNumber(x: number, xHolder: object, y: number, yHolder: object, key: string | number): boolean {
  if (x !== y) return false
  if (Number.isSafeInteger(x) || !Number.isInteger(x)) return true
  return (exactInteger(xHolder, key) ?? BigInt(x)) === (exactInteger(yHolder, key) ?? BigInt(x))
}

/** Could hold an integer literal of 16+ digits (2^53 has 16); false for digests and most bodies. */
const MAYBE_BIG = /[:,[]\s*-?\d{16}/

/** The spans [start, end) of integer literals, outside strings, that a double cannot hold. */
function bigIntegerSpans(text: string): number[] {
  const spans: number[] = []
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      i++
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === 0x5c /* \ */) i += 2
        else if (d === 0x22) break
        else i++
      }
      i++
      continue
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i
      if (c === 0x2d) i++
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++
      const intEnd = i
      let integer = true
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d || (d >= 0x30 && d <= 0x39)) {
          integer = false
          i++
        } else break
      }
      if (integer && intEnd - start >= 16 && !Number.isSafeInteger(Number(text.slice(start, intEnd)))) spans.push(start, intEnd)
      continue
    }
    i++
  }
  return spans
}

/**
 * JSON.parse, keeping the exact value of every integer a double cannot hold. Throws what JSON.parse
 * throws for invalid JSON (the marker substitution never turns invalid JSON into valid JSON: it
 * replaces one complete number token with one complete string token).
 */
export function parseJson(text: string): unknown {
  if (!MAYBE_BIG.test(text)) return JSON.parse(text)
  const spans = bigIntegerSpans(text)
  if (spans.length === 0) return JSON.parse(text)
  // A fresh random marker per body: a string in the body cannot be mistaken for one.
  const marker = `~int:${randomBytes(16).toString('hex')}:`
  let out = ''
  let last = 0
  for (let k = 0; k < spans.length; k += 2) {
    const start = spans[k] as number
    const end = spans[k + 1] as number
    out += `${text.slice(last, start)}"${marker}${text.slice(start, end)}"`
    last = end
  }
  out += text.slice(last)
  return JSON.parse(out, function revive(this: object, key: string, value: unknown) {
    if (typeof value !== 'string' || !value.startsWith(marker)) return value
    const digits = value.slice(marker.length)
    recordExactInteger(this, key, BigInt(digits))
    return Number(digits)
  })
}

function setOwn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  // A parsed "__proto__" key is an own property; plain assignment would set the prototype instead.
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  else (target as Record<string, unknown>)[key] = value
}

/** A deep copy of parsed JSON that keeps the exact integers (structuredClone would drop them). Iterative. */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  const root: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {}
  const stack: [object, Record<string, unknown> | unknown[]][] = [[value, root]]
  while (stack.length > 0) {
    const [src, dst] = stack.pop() as [object, Record<string, unknown> | unknown[]]
    const exact = EXACT.get(src)
    if (exact !== undefined) EXACT.set(dst, new Map(exact))
    const keys = Array.isArray(src) ? src.keys() : Object.keys(src)
    for (const key of keys) {
      const v: unknown = (src as Record<string | number, unknown>)[key]
      if (v !== null && typeof v === 'object') {
        const copy: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {}
        setOwn(dst, key, copy)
        stack.push([v, copy])
      } else setOwn(dst, key, v)
    }
  }
  return root as T
}

/** A reviver for the `yaml` package's toJS() after parsing with intAsBigInt: numbers, exact on the side. */
export function yamlIntegerReviver(this: unknown, key: unknown, value: unknown): unknown {
  if (typeof value !== 'bigint') return value
  const n = Number(value)
  if (!Number.isSafeInteger(n) && this !== null && typeof this === 'object') recordExactInteger(this, String(key), value)
  return n
}
