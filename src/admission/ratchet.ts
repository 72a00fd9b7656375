// Validation ratcheting on UPDATE, as the apiserver does it for custom resources (KEP-4008, GA in
// Kubernetes 1.33): an error about a value the request did not change does not deny, so an object
// stored before a rule existed (or while the webhook was down) can still have its finalizers
// removed, its status advanced, its labels edited. Rules that compare the stored object with the
// new one (immutability, transitions, attribution) are never ratcheted, as the apiserver never
// ratchets rules that use oldSelf. Pure functions; docs/rules.md ("Ratcheting") is the contract.
import type { FieldError } from './field.js'
import type { RuleContext } from './rule-contract.js'
import type { CompiledValidator } from './rule-contract.js'
import { fieldSegments } from './lookup.js'
import { semanticEqual } from '../api/semantic-equal.js'

/**
 * The value each error is about, in the stored and in the new object, compared. A Required error is
 * about its parent (the object missing the property), as the apiserver reports it from the parent's
 * schema node. A path through a list compares the whole list: list items are not correlated by index
 * (the apiserver correlates only `listType: map` items, and this CRD declares none).
 */
export function unchangedAt(error: FieldError, oldObject: unknown, object: unknown): boolean {
  const segments = fieldSegments(error.field)
  const end = error.type === 'FieldValueRequired' ? segments.length - 1 : segments.length
  let a: unknown = oldObject
  let b: unknown = object
  for (let i = 0; i < end; i++) {
    if (Array.isArray(a) || Array.isArray(b)) break
    const key = segments[i] as string
    a = childOf(a, key)
    b = childOf(b, key)
    if (a === undefined && b === undefined) return true
  }
  return semanticEqual(a, b)
}

/**
 * Whether the value at `path` is the same in both objects, for skipping a rule declared `ratchet:
 * 'field'`. Absent in both counts as changed, so a Required error at the path itself still goes
 * through ratchet() and is judged by its parent, as the apiserver judges it.
 */
export function unchangedField(path: readonly string[], oldObject: unknown, object: unknown): boolean {
  let a: unknown = oldObject
  let b: unknown = object
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string
    a = childOf(a, key)
    b = childOf(b, key)
  }
  return a !== undefined && semanticEqual(a, b)
}

function childOf(v: unknown, key: string): unknown {
  if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return undefined
  return (v as Record<string, unknown>)[key]
}

export interface RatchetOutcome {
  /** Errors that still deny (or warn, for a warn rule). */
  kept: FieldError[]
  /** The rule's single warning for the errors ratcheted away, or undefined when there were none. */
  ratcheted?: FieldError
}

/**
 * Splits one rule's errors on UPDATE. An error is ratcheted when the value it is about is unchanged
 * and the rule reports the same error (type and path) on the stored object alone: the second test
 * keeps every rule that compares old with new (it reports nothing when both are the stored object)
 * out of ratcheting without a list of such rules. The stored object is evaluated only when some
 * error is about an unchanged value, so a request that breaks no rule pays nothing here.
 */
export function ratchet(v: CompiledValidator, errors: FieldError[], ctx: RuleContext): RatchetOutcome {
  const old = ctx.oldObject
  if (errors.length === 0 || old === undefined || v.ratchet === 'never' || ctx.request.operation !== 'UPDATE') return { kept: errors }
  const candidates = errors.filter((e) => e.type !== 'InternalError' && unchangedAt(e, old, ctx.object))
  if (candidates.length === 0) return { kept: errors }
  const stored = v.run({ request: ctx.request, object: old, oldObject: old, options: ctx.options, now: ctx.now })
  const before = new Set(stored.map((e) => `${e.type}\u0000${e.field}`))
  const kept: FieldError[] = []
  const gone: FieldError[] = []
  for (const e of errors) (candidates.includes(e) && before.has(`${e.type}\u0000${e.field}`) ? gone : kept).push(e)
  if (gone.length === 0) return { kept }
  const first = gone[0] as FieldError
  const more = gone.length > 1 ? `, and ${gone.length - 1} more like it` : ''
  const note = `already stored and unchanged by this update, so not denied (validation ratcheting); rule ${v.id}${more}`
  return { kept, ratcheted: { ...first, detail: `${first.detail} (${note})` } }
}
