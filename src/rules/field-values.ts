// Reading values out of an untyped object, for the rule files: the helpers every family shares, in
// one place. A rule never trusts the object's shape (offline nothing ran the CRD schema first).
import { isRecord } from '../api/json.js'

/** A property's value, or undefined when absent or null: the apiserver prunes nulls of non-nullable fields. */
export function present(obj: Record<string, unknown>, key: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return undefined
  const v = obj[key]
  return v === null ? undefined : v
}

/**
 * The value at `path` under `object`, each step read with present(): undefined when any step is
 * absent, null or not an object. The one walker the rule files share (no private statusOf/phaseOf):
 * `valueAt(object, 'status', 'phase')`.
 */
export function valueAt(object: unknown, ...path: readonly string[]): unknown {
  let cur: unknown = object
  for (const key of path) {
    if (!isRecord(cur)) return undefined
    cur = present(cur, key)
  }
  return cur
}

/** The object at `path` (a section such as `status`, or deeper), or undefined when it is not one. */
export function recordAt(object: unknown, ...path: readonly string[]): Record<string, unknown> | undefined {
  const v = valueAt(object, ...path)
  return isRecord(v) ? v : undefined
}

const NO_ANNOTATIONS: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * metadata.annotations as written (values unchecked, null included), or an empty object: the
 * clearance rules compare one key of it between the stored and the incoming object.
 */
export function annotationsOf(object: unknown): Readonly<Record<string, unknown>> {
  return recordAt(object, 'metadata', 'annotations') ?? NO_ANNOTATIONS
}

/** Set: neither undefined nor null. */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null
}

/** A hostile object can hold a million wrong values; one denial does not need to list them all. */
export const MAX_ERRORS_PER_RULE = 32
