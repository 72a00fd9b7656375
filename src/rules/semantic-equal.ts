// Deep JSON equality where key order does not matter, and the first paths where two values differ
// (for messages that say what changed). Iterative, so deeply nested input cannot overflow the stack.

export function semanticEqual(a: unknown, b: unknown): boolean {
  return firstDifferences(a, b, '', 1).length === 0
}

/** Up to `limit` Kubernetes-style paths (relative to `root`) where `a` and `b` differ. */
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
    const keys = new Set([...Object.keys(xo), ...Object.keys(yo)])
    for (const k of [...keys].sort().reverse()) {
      const inX = Object.prototype.hasOwnProperty.call(xo, k)
      const inY = Object.prototype.hasOwnProperty.call(yo, k)
      const child = path === '' ? k : /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !path.endsWith('parameters') ? `${path}.${k}` : `${path}[${k}]`
      if (inX !== inY) out.push(child)
      else stack.push([xo[k], yo[k], child])
    }
  }
  return out
}
