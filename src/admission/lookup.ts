// Reads the value at a Kubernetes-style field path (`spec.parameters[KEY]`, `status.conditions[0]`)
// from a decoded object, so an error can show the value it is about. Never throws.

const SEGMENT = /([^.[\]]+)|\[([^\]]*)\]/g

export function lookupField(root: unknown, path: string): unknown {
  let cur: unknown = root
  SEGMENT.lastIndex = 0
  for (let m = SEGMENT.exec(path); m !== null; m = SEGMENT.exec(path)) {
    if (cur === null || typeof cur !== 'object') return undefined
    const key = m[1] ?? m[2] ?? ''
    if (Array.isArray(cur)) {
      const i = Number(key)
      cur = Number.isInteger(i) ? cur[i] : undefined
    } else {
      cur = Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : undefined
    }
  }
  return cur
}

/** `metadata.annotations[kubernaut.ai/x]` → ['metadata', 'annotations', 'kubernaut.ai/x']. */
export function fieldSegments(field: string): string[] {
  return [...field.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)].map((m) => m[1] ?? m[2] ?? '')
}
