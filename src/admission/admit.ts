// admit(): the pure core. AdmissionRequest in, AdmissionResponse out, plus the effect intents the
// edge carries out afterwards. No I/O; never throws (a fault becomes errored(500) with the uid).
import type { AdmissionRequest, AdmissionResponse, Effect, WebhookKind } from './types.js'
import type { FieldError, FieldWarning } from './field.js'
import type { CompiledPolicy, RuleContext, RuleSet } from './rule-contract.js'
import type { WorkflowExecution } from '../api/workflowexecution.js'
import { allowed, complete, denied, errored, patched, type Verdict } from './response.js'
import { errorString, warningString } from './field.js'
import { decodeRequest } from './decode.js'
import { diffAlong, type PatchOperation } from './patch.js'
import { ratchet, unchangedField } from './ratchet.js'
import { storedForm } from './apiserver.js'

export interface AdmitResult {
  response: AdmissionResponse
  /** Carried out at the edge when allowed and not dryRun. */
  effects: Effect[]
  /**
   * Every violation, deny and warn, with its rule id in `origin` (stamped by the core). A ratcheted
   * one (UPDATE, value unchanged; one per rule) is a warning whose detail says so.
   */
  violations: { error: Stamped<FieldError>; severity: 'deny' | 'warn'; ratcheted?: true }[]
  /** The warnings the mutations returned, each with its rule id in `origin` (stamped by the core). */
  mutationWarnings: Stamped<FieldWarning>[]
  /** The object after mutation (when the mutate phase ran and allowed it). */
  mutated?: WorkflowExecution
  /** Ids of the mutation rules that applied, when the answer carries a patch (for logs and reports). */
  mutatedBy?: string[]
}

/** An error or warning with the id of the rule that produced it. */
export type Stamped<T extends FieldError | FieldWarning> = T & { origin: string }

/** The rule that ran is the one that said it: the id is always the rule's own, never the finding's. */
function stamp<T extends FieldError | FieldWarning>(value: T, ruleId: string): Stamped<T> {
  return { ...value, origin: ruleId }
}

export function admit(request: AdmissionRequest, policy: CompiledPolicy, webhook: WebhookKind): AdmitResult {
  const uid = typeof request?.uid === 'string' ? request.uid : ''
  try {
    return run(request, policy, webhook, uid)
  } catch (err) {
    // JSON.parse nests iteratively, but copying and diffing for a patch recurse: an object nested
    // thousands of levels deep is the sender's fault (a 400), not an internal error.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      return {
        response: complete(errored(400, 'request.object: nested too deeply to process'), uid),
        effects: [],
        violations: [],
        mutationWarnings: [],
      }
    }
    return {
      response: complete(errored(500, `internal error while admitting: ${err instanceof Error ? err.message : String(err)}`), uid),
      effects: [],
      violations: [],
      mutationWarnings: [],
    }
  }
}

function run(request: AdmissionRequest, policy: CompiledPolicy, webhook: WebhookKind, uid: string): AdmitResult {
  const decoded = decodeRequest(request)
  if (!decoded.ok) return { response: complete(errored(400, decoded.message), uid), effects: [], violations: [], mutationWarnings: [] }
  const result = judge(request, policy, webhook, uid, decoded)
  // Both webhooks annotate, each under its own name: a write can fail after the mutating webhook
  // admitted it and before the validating one is called (a resourceVersion conflict is found there),
  // and the apiserver audit event must still say who was admitted and what the apiserver answered.
  const audit = policy.audit?.({
    request,
    object: decoded.object,
    oldObject: decoded.oldObject,
    options: policy.options,
    allowed: result.response.allowed,
    deniedBy: result.violations.filter((v) => v.severity === 'deny' && v.ratcheted !== true).map((v) => v.error.origin),
    now: policy.options.now(),
  })
  if (audit === undefined) return result
  result.response.auditAnnotations = audit.annotations
  result.effects.push(...audit.effects)
  return result
}

function judge(
  request: AdmissionRequest,
  policy: CompiledPolicy,
  webhook: WebhookKind,
  uid: string,
  decoded: Extract<ReturnType<typeof decodeRequest>, { ok: true }>,
): AdmitResult {
  // DELETE rules judge the object being deleted, which the apiserver sends as oldObject.
  const target = decoded.object ?? (request.operation === 'DELETE' ? decoded.oldObject : undefined)
  if (target === undefined) return { response: complete(allowed(), uid), effects: [], violations: [], mutationWarnings: [] }
  const rules = policy.select(request.operation, decoded.subresource)
  const now = policy.options.now()
  const violations: AdmitResult['violations'] = []
  const warnings: string[] = []
  const mutationWarnings: Stamped<FieldWarning>[] = []
  let object = target
  let patch: PatchOperation[] = []
  let effects: Effect[] = []

  const ctx: RuleContext = { request, object, oldObject: decoded.oldObject, options: policy.options, now }
  // Mutators that say they do not apply are dropped before anything is copied or diffed, so the
  // common request (a routine status write) costs no clone.
  const mutators = webhook === 'validate' ? [] : rules.mutators.filter((m) => m.applies === undefined || m.applies(ctx))
  if (mutators.length > 0) {
    const { draft, walked } = copyAlong(object, rules.mutationPaths)
    const errors: Stamped<FieldError>[] = []
    for (const m of mutators) {
      const out = m.mutate(ctx, draft)
      for (const e of out.errors ?? []) errors.push(stamp(e, m.id))
      for (const w of out.warnings ?? []) {
        mutationWarnings.push(stamp(w, m.id))
        warnings.push(warningString(w))
      }
      if (out.effects) effects.push(...out.effects)
    }
    if (errors.length > 0) {
      for (const error of errors) violations.push({ error, severity: 'deny' })
      return finish(denied(errors), uid, warnings, [], violations, mutationWarnings)
    }
    patch = diffAlong(object, draft, walked)
    if (patch.length > 0) object = draft
    // An attribution is recorded only for a write the validating webhook will admit: a clearance on
    // a running execution, or one riding on a spec change, must not leave an audit line behind.
    // Judged on the object as the apiserver will store it (status, or metadata and spec, restored).
    const stored = storedForm(request.operation, decoded.subresource, object, decoded.oldObject)
    if (
      webhook === 'mutate' &&
      effects.length > 0 &&
      deniesAny(rules.validators, { request, object: stored, oldObject: decoded.oldObject, options: policy.options, now })
    )
      effects = []
  }

  if (webhook !== 'mutate' && rules.validators.length > 0) {
    // The validating webhook is sent the stored form already; `both` (review, check) must judge it too.
    const judged = storedForm(request.operation, decoded.subresource, object, decoded.oldObject)
    const found = validate(rules.validators, { request, object: judged, oldObject: decoded.oldObject, options: policy.options, now })
    violations.push(...found.violations)
    warnings.push(...found.warnings)
    if (found.denials.length > 0) return finish(denied(found.denials), uid, warnings, [], violations, mutationWarnings)
  }

  const verdict = patched(patch)
  const result = finish(verdict, uid, warnings, effects, violations, mutationWarnings)
  if (patch.length > 0) {
    result.mutated = object
    result.mutatedBy = mutators.map((m) => m.id)
  }
  return result
}

interface Validation {
  denials: FieldError[]
  warnings: string[]
  violations: AdmitResult['violations']
}

/**
 * Runs the validators. On UPDATE, a rule that reads only its own field is skipped when that field
 * is unchanged, and errors about unchanged values are ratcheted into one warning per rule
 * (ratchet.ts), as the apiserver does for CRDs.
 */
function validate(validators: RuleSet['validators'], ctx: RuleContext): Validation {
  const out: Validation = { denials: [], warnings: [], violations: [] }
  const update = ctx.request.operation === 'UPDATE' && ctx.oldObject !== undefined
  for (const v of validators) {
    if (update && v.ratchet === 'field' && unchangedField(v.path, ctx.oldObject, ctx.object)) continue
    let errors = v.run(ctx).map((e) => stamp(e, v.id))
    if (update && errors.length > 0) {
      const r = ratchet(v, errors, ctx)
      errors = r.kept.map((e) => stamp(e, v.id))
      if (r.ratcheted !== undefined) {
        out.violations.push({ error: stamp(r.ratcheted, v.id), severity: 'warn', ratcheted: true })
        out.warnings.push(errorString(r.ratcheted))
      }
    }
    for (const error of errors) {
      out.violations.push({ error, severity: v.severity })
      if (v.severity === 'deny') out.denials.push(error)
      else out.warnings.push(errorString(error))
    }
  }
  return out
}

/**
 * Whether the validating webhook would deny: validate() reduced to its first denial. Warn rules are
 * not run and nothing is stamped or collected, since the mutating webhook only needs yes or no.
 */
function deniesAny(validators: RuleSet['validators'], ctx: RuleContext): boolean {
  const update = ctx.request.operation === 'UPDATE' && ctx.oldObject !== undefined
  for (const v of validators) {
    if (v.severity !== 'deny') continue
    if (update && v.ratchet === 'field' && unchangedField(v.path, ctx.oldObject, ctx.object)) continue
    const errors = v.run(ctx)
    if (errors.length === 0) continue
    if (!update || ratchet(v, errors, ctx).kept.length > 0) return true
  }
  return false
}

/**
 * A draft for the mutators: the objects along each path they write are copied (shallowly on the
 * way, deeply at the end), everything else stays shared with the request, so the request is never
 * modified and the diff skips untouched subtrees by identity. A huge spec costs nothing to default.
 */
function copyAlong(object: WorkflowExecution, paths: RuleSet['mutationPaths']): { draft: WorkflowExecution; walked: Set<unknown> } {
  const draft = { ...object } as unknown as Record<string, unknown>
  const copies = new Set<unknown>([draft])
  // The shallow copies: the diff walks these and leaves every other subtree to rfc6902 or identity.
  const walked = new Set<unknown>([draft])
  for (const path of paths) {
    let cur = draft
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string
      const value = cur[key]
      if (value === null || typeof value !== 'object') break
      if (!copies.has(value)) {
        const last = i === path.length - 1 || Array.isArray(value)
        const copy = last ? structuredClone(value) : { ...(value as Record<string, unknown>) }
        cur[key] = copy
        copies.add(copy)
        if (!last) walked.add(copy)
        if (last) break
      }
      cur = cur[key] as Record<string, unknown>
    }
  }
  return { draft: draft as unknown as WorkflowExecution, walked }
}

function finish(
  v: Verdict,
  uid: string,
  warnings: string[],
  effects: Effect[],
  violations: AdmitResult['violations'],
  mutationWarnings: AdmitResult['mutationWarnings'],
): AdmitResult {
  if (warnings.length > 0) v.warnings = [...(v.warnings ?? []), ...warnings]
  return { response: complete(v, uid), effects, violations, mutationWarnings }
}
