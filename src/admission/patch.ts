// RFC 6902 JSON Patch between the received object and the mutated draft. rfc6902 emits the
// minimal operations, escapes `~` and `/` in keys, and adds a whole parent where one is missing.
import { createPatch, type Operation } from 'rfc6902'

export type PatchOperation = Operation

export function diff(before: unknown, after: unknown): PatchOperation[] {
  return createPatch(before, after)
}

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)
const present = (o: Record<string, unknown>, k: string): boolean => own(o, k) && o[k] !== undefined
const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * The operations diff(before, after) gives, in the same order, when `after` shares every subtree
 * with `before` except the objects in `walked` (shallow copies made along the mutated paths) and
 * what hangs off them. Only those copies are walked; whatever else differs is diffed by rfc6902
 * under its pointer. A mutation of one field of a 10 KiB object then costs a few key comparisons.
 */
export function diffAlong(before: unknown, after: unknown, walked: ReadonlySet<unknown>): PatchOperation[] {
  const out: PatchOperation[] = []
  walk(before, after, '', walked, out)
  return out
}

function walk(before: unknown, after: unknown, ptr: string, walked: ReadonlySet<unknown>, out: PatchOperation[]): void {
  if (before === after) return
  if (!walked.has(after) || before === null || typeof before !== 'object' || Array.isArray(before)) {
    for (const op of createPatch(before, after)) out.push({ ...op, path: ptr + op.path, ...('from' in op ? { from: ptr + op.from } : {}) })
    return
  }
  // rfc6902's diffObjects order: removals, additions, then the keys both have, in `before`'s order.
  const b = before as Record<string, unknown>
  const a = after as Record<string, unknown>
  for (const k in b) if (present(b, k) && !present(a, k)) out.push({ op: 'remove', path: `${ptr}/${escape(k)}` })
  for (const k in a) if (present(a, k) && !present(b, k)) out.push({ op: 'add', path: `${ptr}/${escape(k)}`, value: a[k] })
  for (const k in b) if (present(b, k) && present(a, k)) walk(b[k], a[k], `${ptr}/${escape(k)}`, walked, out)
}
