// Deep JSON equality where key order does not matter, and the first paths where two values differ
// (for messages that say what changed).

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
    for (let i = 0; i < x.length; i++) if (!equalAt(x[i], y[i], depth + 1)) return false
    return true
  }
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  let count = 0
  for (const k in x) {
    if (!Object.prototype.hasOwnProperty.call(x, k)) continue
    if (!Object.prototype.hasOwnProperty.call(y, k) || !equalAt(x[k], y[k], depth + 1)) return false
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
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], ya[i], `${path}[${i}]`])
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
      if (inX === inY && xv === yv) continue
      const child = path === '' ? k : /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !path.endsWith('parameters') ? `${path}.${k}` : `${path}[${k}]`
      if (inX !== inY) out.push(child)
      else stack.push([xv, yv, child])
    }
  }
  return out
}
