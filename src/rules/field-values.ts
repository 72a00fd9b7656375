// Reading values out of an untyped object, for the rule files: the helpers every family shares, in
// one place. A rule never trusts the object's shape (offline nothing ran the CRD schema first).

/** A property's value, or undefined when absent or null: the apiserver prunes nulls of non-nullable fields. */
export function present(obj: Record<string, unknown>, key: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return undefined
  const v = obj[key]
  return v === null ? undefined : v
}

/** Set: neither undefined nor null. */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null
}

/** A hostile object can hold a million wrong values; one denial does not need to list them all. */
export const MAX_ERRORS_PER_RULE = 32
