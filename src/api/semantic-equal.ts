// Deep JSON equality where key order does not matter, and the first paths where two values differ
// (for messages that say what changed). Integers beyond 2^53 compare by their exact value
// (api/lossless-json), as Go's int64 would; identical doubles are checked only then.
import { sameNumber } from './lossless-json.js'

/** Below this depth the comparison recurses; deeper values go to the iterative walk (no stack overflow). */
const MAX_RECURSION = 200

/**
 * Deep JSON equality, key order irrelevant, null distinct from absent. Allocates nothing on the
 * common path (the hot comparison of old and new on every UPDATE); values nested deeper than
 * MAX_RECURSION levels are finished by the iterative walk below.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return equalAt(a, b, 0)
}

function equalAt(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (depth >= MAX_RECURSION) return firstDifferences(a, b, '', 1).length === 0
  const aa = Array.isArray(a)
  if (aa !== Array.isArray(b)) return false
  if (aa) {
    const x = a as unknown[]
    const y = b as unknown[]
    if (x.length !== y.length) return false
    for (let i = 0; i < x.length; i++) {
      const xv = x[i]
      const yv = y[i]
      if (xv === yv) {
        if (typeof xv === 'number' && !sameNumber(xv, x, yv as number, y, i)) return false
      } else if (!equalAt(xv, yv, depth + 1)) return false
    }
    return true
  }
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  let count = 0
  for (const k in x) {
    if (!Object.prototype.hasOwnProperty.call(x, k)) continue
    if (!Object.prototype.hasOwnProperty.call(y, k)) return false
    const xv = x[k]
    const yv = y[k]
    if (xv === yv) {
      if (typeof xv === 'number' && !sameNumber(xv, x, yv as number, y, k)) return false
    } else if (!equalAt(xv, yv, depth + 1)) return false
    count++
  }
  for (const k in y) if (Object.prototype.hasOwnProperty.call(y, k)) count--
  return count === 0
}

/** Up to `limit` Kubernetes-style paths (relative to `root`) where `a` and `b` differ. Iterative. */
export function firstDifferences(a: unknown, b: unknown, root: string, limit = 3): string[] {
  const out: string[] = []
  const stack: [unknown, unknown, string][] = [[a, b, root]]
  while (stack.length > 0 && out.length < limit) {
    const [x, y, path] = stack.pop() as [unknown, unknown, string]
    if (x === y) continue
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
      out.push(path)
      continue
    }
    const xa = Array.isArray(x)
    if (xa !== Array.isArray(y)) {
      out.push(path)
      continue
    }
    if (xa) {
      const ya = y as unknown[]
      if (x.length !== ya.length) {
        out.push(path)
        continue
      }
      for (let i = x.length - 1; i >= 0; i--) {
        const xi: unknown = x[i]
        const yi: unknown = ya[i]
        if (xi === yi) {
          if (typeof xi === 'number' && !sameNumber(xi, x, yi as number, ya, i)) out.push(`${path}[${i}]`)
        } else stack.push([xi, yi, `${path}[${i}]`])
      }
      continue
    }
    const xo = x as Record<string, unknown>
    const yo = y as Record<string, unknown>
    const keys = Object.keys(xo)
    for (const k of Object.keys(yo)) if (!Object.prototype.hasOwnProperty.call(xo, k)) keys.push(k)
    keys.sort()
    // Reverse order onto the stack, so differences come out sorted; a path string is built only
    // for a difference or a pair still to compare, never for the equal leaves that make up most keys.
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i] as string
      const inX = Object.prototype.hasOwnProperty.call(xo, k)
      const inY = Object.prototype.hasOwnProperty.call(yo, k)
      const xv = xo[k]
      const yv = yo[k]
      // Identical doubles differ only as integers beyond 2^53 with different exact values.
      const exactDiffer = inX === inY && xv === yv && typeof xv === 'number' && !sameNumber(xv, xo, yv as number, yo, k)
      if (inX === inY && xv === yv && !exactDiffer) continue
      const child = path === '' ? k : /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !path.endsWith('parameters') ? `${path}.${k}` : `${path}[${k}]`
      if (inX !== inY || exactDiffer) out.push(child)
      else stack.push([xv, yv, child])
    }
  }
  return out
}
