// Flow 2 of block clearance: `kubectl annotate workflowexecution X kubernaut.ai/clear-execution-block=
// "<reason>"`. A webhook on the main resource cannot write status, so the attribution travels in
// two annotations only this webhook writes (-by, -at); the controller later copies all three into
// status.blockClearance with clearMethod Annotation (checked in block-clearance.ts).
//
// Removing the clear annotation is allowed: it withdraws a request the controller has not acted
// on, or tidies up after the controller copied it into status, where the record is immutable. The
// mutator then also removes -by and -at, so no attribution is left behind that a later value could
// be paired with; the validator accepts -by and -at being removed or left as they were, nothing
// else. A removal is not a clearance, so it emits no audit record.
import { forbidden, renderValue, type FieldError } from '../admission/field.js'
import {
  ANNOTATION_CLEAR,
  ANNOTATION_CLEAR_AT,
  ANNOTATION_CLEAR_BY,
  ClearMethod,
  type WorkflowExecution,
} from '../api/workflowexecution.js'
import { defineRule, type RuleContext } from '../admission/rule-contract.js'
import {
  authenticationRequired,
  blockClearedEffect,
  isFreshTimestamp,
  reasonErrors,
  requester,
  requiresFailed,
  rfc3339Seconds,
} from './clearance-attribution.js'
import { annotationsOf, recordAt } from './field-values.js'

const CLEAR_FIELD = `metadata.annotations[${ANNOTATION_CLEAR}]`
const BY_FIELD = `metadata.annotations[${ANNOTATION_CLEAR_BY}]`
const AT_FIELD = `metadata.annotations[${ANNOTATION_CLEAR_AT}]`

/** The clear annotation was added or its value changed (not removed) by this request. */
function clearSet(ctx: RuleContext, now: Readonly<Record<string, unknown>>): boolean {
  const value = now[ANNOTATION_CLEAR]
  return value !== undefined && value !== annotationsOf(ctx.oldObject)[ANNOTATION_CLEAR]
}

export const clearAnnotationAttribution = defineRule({
  id: 'clear-annotation-attribution',
  description: `when ${ANNOTATION_CLEAR} is added or changed, writes ${ANNOTATION_CLEAR_BY} (userInfo.username) and ${ANNOTATION_CLEAR_AT} (now), overwriting client values`,
  kind: 'mutate',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: CLEAR_FIELD,
  // Only a request that adds, changes or removes the clear annotation has anything to attribute.
  applies: (ctx) => annotationsOf(ctx.object)[ANNOTATION_CLEAR] !== annotationsOf(ctx.oldObject)[ANNOTATION_CLEAR],
  mutate: (ctx, draft) => {
    const ann = recordAt(draft, 'metadata', 'annotations')
    if (ann === undefined) return {}
    const old = annotationsOf(ctx.oldObject)
    if (ann[ANNOTATION_CLEAR] === undefined) {
      if (old[ANNOTATION_CLEAR] !== undefined) {
        delete ann[ANNOTATION_CLEAR_BY]
        delete ann[ANNOTATION_CLEAR_AT]
      }
      return {}
    }
    if (!clearSet(ctx, ann)) return {}
    const username = requester(ctx)
    const errors: FieldError[] = username === '' ? [authenticationRequired(BY_FIELD)] : []
    errors.push(...reasonErrors(ann[ANNOTATION_CLEAR], CLEAR_FIELD, ctx.options.minClearReasonWords))
    if (errors.length > 0) return { errors }
    const at = rfc3339Seconds(ctx.now)
    ann[ANNOTATION_CLEAR_BY] = username
    ann[ANNOTATION_CLEAR_AT] = at
    const effect = blockClearedEffect(
      { ...ctx, object: draft },
      { ...ctx.request.userInfo, username },
      ann[ANNOTATION_CLEAR] as string,
      ClearMethod.Annotation,
      at,
    )
    return { effects: [effect] }
  },
})

function webhookOnly(field: string, annotation: string, detail: string): FieldError {
  return forbidden(field, `${annotation} is written by the webhook only: ${detail}`)
}

/** The validating webhook's own guard, so a forged -by/-at is refused even if the mutator was skipped. */
export const clearAnnotationWebhookOnly = defineRule({
  id: 'clear-annotation-webhook-only',
  description: `${ANNOTATION_CLEAR_BY} and ${ANNOTATION_CLEAR_AT} change only with ${ANNOTATION_CLEAR}, and then name the requester and the time of the request`,
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: BY_FIELD,
  check: (ctx) => {
    const now = annotationsOf(ctx.object)
    const old = annotationsOf(ctx.oldObject)
    const by = now[ANNOTATION_CLEAR_BY]
    const at = now[ANNOTATION_CLEAR_AT]
    const byChanged = by !== old[ANNOTATION_CLEAR_BY]
    const atChanged = at !== old[ANNOTATION_CLEAR_AT]
    if (now[ANNOTATION_CLEAR] === old[ANNOTATION_CLEAR]) {
      const errors: FieldError[] = []
      const detail = `it changes only when ${ANNOTATION_CLEAR} is set or changed`
      if (byChanged) errors.push(webhookOnly(BY_FIELD, ANNOTATION_CLEAR_BY, detail))
      if (atChanged) errors.push(webhookOnly(AT_FIELD, ANNOTATION_CLEAR_AT, detail))
      return errors
    }
    if (now[ANNOTATION_CLEAR] === undefined) {
      const errors: FieldError[] = []
      const detail = `when ${ANNOTATION_CLEAR} is removed it may only be removed too`
      if (byChanged && by !== undefined) errors.push(webhookOnly(BY_FIELD, ANNOTATION_CLEAR_BY, detail))
      if (atChanged && at !== undefined) errors.push(webhookOnly(AT_FIELD, ANNOTATION_CLEAR_AT, detail))
      return errors
    }
    const username = requester(ctx)
    if (username === '') return [authenticationRequired(BY_FIELD)]
    const errors: FieldError[] = []
    if (by !== username) errors.push(webhookOnly(BY_FIELD, ANNOTATION_CLEAR_BY, `it must be the requesting user ${renderValue(username)}`))
    if (!isFreshTimestamp(at, ctx.now))
      errors.push(webhookOnly(AT_FIELD, ANNOTATION_CLEAR_AT, 'it must be the time of this request (RFC 3339, UTC)'))
    return [...errors, ...reasonErrors(now[ANNOTATION_CLEAR], CLEAR_FIELD, ctx.options.minClearReasonWords)]
  },
})

/**
 * Clearing comes after the failure it clears: an annotation set while the execution is still
 * running (or at creation) would pre-approve a block nobody has investigated yet.
 */
export const clearAnnotationRequiresFailed = defineRule({
  id: 'clear-annotation-requires-failed',
  description: `${ANNOTATION_CLEAR} can be added or changed only when status.phase is Failed`,
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: CLEAR_FIELD,
  check: (ctx) => {
    if (!clearSet(ctx, annotationsOf(ctx.object))) return []
    return requiresFailed(CLEAR_FIELD, ctx.object.status)
  },
})

const CLEARANCE_KEYS = [ANNOTATION_CLEAR, ANNOTATION_CLEAR_BY, ANNOTATION_CLEAR_AT]

/**
 * The apiserver accepts `Kubernaut.AI/clear-execution-block` (it checks annotation keys lowercased),
 * but nothing reads it: an operator who typed it would believe the block cleared. Refused when
 * added, naming the real key; keys already stored are left alone.
 */
export const clearAnnotationKeyCase = defineRule({
  id: 'clear-annotation-key-case',
  description: `a case variant of ${ANNOTATION_CLEAR}, ${ANNOTATION_CLEAR_BY} or ${ANNOTATION_CLEAR_AT} cannot be added`,
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: 'metadata.annotations',
  check: (ctx) => {
    const old = annotationsOf(ctx.oldObject)
    const errors: FieldError[] = []
    for (const key of Object.keys(annotationsOf(ctx.object))) {
      if (key in old) continue
      const real = CLEARANCE_KEYS.find((k) => k !== key && k.toLowerCase() === key.toLowerCase())
      if (real !== undefined)
        errors.push(
          forbidden(`metadata.annotations[${key}]`, `annotation keys are case-sensitive and this one is not read by anyone: use ${real}`),
        )
    }
    return errors
  },
})

/** Who cleared the stored status already, or undefined: after that, a new clear annotation can never take effect. */
function statusClearedBy(w: WorkflowExecution | undefined): { by: unknown; at: unknown } | undefined {
  const bc = recordAt(w, 'status', 'blockClearance')
  return typeof bc?.['clearedBy'] === 'string' && bc['clearedBy'] !== '' ? { by: bc['clearedBy'], at: bc['clearedAt'] } : undefined
}

export const clearAnnotationAfterCleared = defineRule({
  id: 'clear-annotation-after-cleared',
  // Compares the stored object with the new one, as a transition rule: never ratcheted.
  ratchet: 'never',
  description: `${ANNOTATION_CLEAR} cannot be added or changed once status.blockClearance is attributed (it could never take effect)`,
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: [''],
  field: CLEAR_FIELD,
  check: (ctx) => {
    if (!clearSet(ctx, annotationsOf(ctx.object))) return []
    const done = statusClearedBy(ctx.oldObject)
    if (done === undefined) return []
    return [
      forbidden(
        CLEAR_FIELD,
        `the block was already cleared by ${renderValue(done.by)} at ${renderValue(done.at ?? null)} and status.blockClearance is immutable: a new clear annotation can never take effect (removing the annotation is allowed)`,
      ),
    ]
  },
})

export const clearanceAnnotationRules = [
  clearAnnotationAttribution,
  clearAnnotationWebhookOnly,
  clearAnnotationRequiresFailed,
  clearAnnotationKeyCase,
  clearAnnotationAfterCleared,
]
