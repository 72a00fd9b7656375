// The CEL variables for one request, built once per request and shared by every CEL rule.
// Whole numbers in fields the Go types declare as integers become BigInt, so `x + 1` works.
import type { RuleContext } from '../admission/rule-contract.js'
import type { CelActivation } from './environment.js'

// Kept on the context itself: a WeakMap keyed by short-lived contexts costs the GC more than the
// activation costs to build.
const CACHE = Symbol('celActivation')
type Cached = RuleContext & { [CACHE]?: CelActivation }

export function celActivation(ctx: RuleContext): CelActivation {
  let a = (ctx as Cached)[CACHE]
  if (a === undefined) {
    a = {
      object: withIntegers(ctx.object),
      oldObject: ctx.oldObject === undefined ? null : withIntegers(ctx.oldObject),
      request: ctx.request,
      userInfo: ctx.request.userInfo ?? {},
    }
    ;(ctx as Cached)[CACHE] = a
  }
  return a
}

function int(v: unknown): unknown {
  return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v
}

function intFields<T>(obj: T, names: readonly string[]): T {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj
  const src = obj as Record<string, unknown>
  if (!names.some((n) => typeof src[n] === 'number')) return obj
  const out: Record<string, unknown> = { ...src }
  for (const n of names) if (n in out) out[n] = int(out[n])
  return out as T
}

/** Copies only the objects on the path to an integer field; everything else is shared. */
function withIntegers(object: unknown): unknown {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return object
  const o = object as Record<string, unknown>
  const out: Record<string, unknown> = { ...o }
  // Only keys that are there are written: an added `key: undefined` would make has() true in CEL.
  if (o['metadata'] !== undefined) out['metadata'] = intFields(o['metadata'], ['generation'])
  const status = o['status']
  if (status !== null && typeof status === 'object' && !Array.isArray(status)) {
    const copy: Record<string, unknown> = { ...intFields(status as Record<string, unknown>, ['observedGeneration']) }
    if (copy['executionStatus'] !== undefined)
      copy['executionStatus'] = intFields(copy['executionStatus'], ['completedTasks', 'totalTasks'])
    if (copy['failureDetails'] !== undefined) copy['failureDetails'] = intFields(copy['failureDetails'], ['failedTaskIndex', 'exitCode'])
    if (Array.isArray(copy['conditions']))
      copy['conditions'] = (copy['conditions'] as unknown[]).map((c) => intFields(c, ['observedGeneration']))
    if (Array.isArray(copy['ephemeralCredentialIDs'])) copy['ephemeralCredentialIDs'] = copy['ephemeralCredentialIDs'].map(int)
    out['status'] = copy
  }
  return out
}
