// The CEL variables for one request, built once per request and shared by every CEL rule.
// Whole numbers in fields the Go types declare as integers become BigInt, so `x + 1` works.
import type { RuleContext } from '../rules/define.js'
import type { CelActivation } from './environment.js'

const cache = new WeakMap<RuleContext, CelActivation>()

export function celActivation(ctx: RuleContext): CelActivation {
  let a = cache.get(ctx)
  if (a === undefined) {
    a = {
      object: withIntegers(ctx.object),
      oldObject: ctx.oldObject === undefined ? null : withIntegers(ctx.oldObject),
      request: ctx.request,
      userInfo: ctx.request.userInfo ?? {},
    }
    cache.set(ctx, a)
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
  out['metadata'] = intFields(o['metadata'], ['generation'])
  const status = o['status']
  if (status !== null && typeof status === 'object' && !Array.isArray(status)) {
    const s = intFields(status as Record<string, unknown>, ['observedGeneration'])
    const copy: Record<string, unknown> = { ...s }
    copy['executionStatus'] = intFields(copy['executionStatus'], ['completedTasks', 'totalTasks'])
    copy['failureDetails'] = intFields(copy['failureDetails'], ['failedTaskIndex', 'exitCode'])
    if (Array.isArray(copy['conditions'])) copy['conditions'] = copy['conditions'].map((c) => intFields(c, ['observedGeneration']))
    if (Array.isArray(copy['ephemeralCredentialIDs'])) copy['ephemeralCredentialIDs'] = copy['ephemeralCredentialIDs'].map(int)
    out['status'] = copy
  }
  for (const k of ['metadata', 'status']) if (out[k] === undefined) delete out[k]
  return out
}
