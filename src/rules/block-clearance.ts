// Block clearance on the /status subresource (SOC2 CC7.3, CC7.4, CC8.1): who cleared a failed
// execution's block, when, how and why, written by the webhook from userInfo and never changed
// afterwards. Flow 1 is an operator's direct status write (clearMethod StatusField); the trusted-
// controller half of Flow 2 copies an attribution this webhook already wrote into annotations
// (see clearance-annotations.ts). Modelled on cert-manager's CertificateRequest identity plugin.
import { forbidden, invalid, renderValue, warning, type FieldError, type FieldWarning } from '../admission/field.js'
import {
  ANNOTATION_CLEAR,
  ANNOTATION_CLEAR_AT,
  ANNOTATION_CLEAR_BY,
  ClearMethod,
  type WorkflowExecution,
} from '../api/workflowexecution.js'
import { defineRule, type RuleContext } from '../admission/rule-contract.js'
import { firstDifferences, semanticEqual } from '../api/semantic-equal.js'
import {
  authenticationRequired,
  blockClearedEffect,
  isFreshTimestamp,
  parseRfc3339,
  reasonErrors,
  requester,
  requiresFailed,
  rfc3339Seconds,
} from './clearance-attribution.js'
import { isRecord } from '../api/json.js'
import { annotationsOf, isSet, recordAt, valueAt } from './field-values.js'

const FIELD = 'status.blockClearance'
const ANNOTATIONS = 'metadata.annotations'

/** The stored record counts as attributed once clearedBy is set; from then on it is frozen. */
function attributedClearance(w: WorkflowExecution | undefined): Record<string, unknown> | undefined {
  const bc = recordAt(w, 'status', 'blockClearance')
  return typeof bc?.['clearedBy'] === 'string' && bc['clearedBy'] !== '' ? bc : undefined
}

/**
 * A blockClearance this request introduces: present now, the stored one not attributed, and not
 * simply carried through unchanged. An unattributed record already stored (written while the
 * webhook was not installed) is nobody's act in this request: routine writes carrying it pass, and
 * whoever changes it is attributed.
 */
function newClearance(ctx: RuleContext): unknown {
  if (attributedClearance(ctx.oldObject) !== undefined) return undefined
  const bc = valueAt(ctx.object, 'status', 'blockClearance')
  if (!isSet(bc)) return undefined
  const stored = valueAt(ctx.oldObject, 'status', 'blockClearance')
  return isSet(stored) && semanticEqual(stored, bc) ? undefined : bc
}

function isTrusted(ctx: RuleContext, username: string): boolean {
  return username !== '' && ctx.options.trustedControllers.includes(username)
}

interface AnnotationAttribution {
  by: string
  at: string
  reason: string
}

/**
 * The attribution Flow 2 left in annotations, read from the stored object: on a /status write the
 * apiserver discards metadata changes, and the stored values are the ones this webhook wrote, so
 * the requester cannot supply fresh ones in the same request. Absent or inconsistent is an error.
 */
function annotationAttribution(
  ctx: RuleContext,
  bc: Record<string, unknown>,
): { ok: true; value: AnnotationAttribution } | { ok: false; errors: FieldError[] } {
  const ann = annotationsOf(ctx.oldObject)
  const reason = ann[ANNOTATION_CLEAR]
  const by = ann[ANNOTATION_CLEAR_BY]
  const at = ann[ANNOTATION_CLEAR_AT]
  const method = `${FIELD}.clearMethod`
  const why = (detail: string): { ok: false; errors: FieldError[] } => ({
    ok: false,
    errors: [forbidden(method, `clearMethod "Annotation" copies the attribution from the WorkflowExecution's annotations, but ${detail}`)],
  })
  if (typeof reason !== 'string' || reason.trim() === '') return why(`${ANNOTATION_CLEAR} is absent or empty`)
  if (typeof by !== 'string' || by === '')
    return why(`${ANNOTATION_CLEAR_BY} is absent or empty (it is written by the webhook when ${ANNOTATION_CLEAR} is set)`)
  if (parseRfc3339(at) === undefined) return why(`${ANNOTATION_CLEAR_AT} is absent or not an RFC 3339 time`)
  const given = bc['clearReason']
  if (typeof given === 'string' && given.trim() !== '' && given !== reason) {
    return why(`clearReason ${renderValue(given)} is inconsistent with ${ANNOTATION_CLEAR} ${renderValue(reason)}`)
  }
  return { ok: true, value: { by, at: at as string, reason } }
}

export const blockClearanceAttribution = defineRule({
  id: 'block-clearance-attribution',
  description:
    'sets status.blockClearance.clearedBy/clearedAt from userInfo and the clock (or, for trusted controllers with clearMethod Annotation, from the webhook-written annotations)',
  kind: 'mutate',
  operations: ['UPDATE'],
  subresources: ['status'],
  field: FIELD,
  // Routine controller status writes carry no new blockClearance: skipped before the core copies status.
  applies: (ctx) => newClearance(ctx) !== undefined,
  mutate: (ctx, draft) => {
    const bc = newClearance({ ...ctx, object: draft })
    if (bc === undefined) return {}
    if (!isRecord(bc)) return { errors: [invalid(FIELD, bc, 'must be an object with clearReason and clearMethod')] }
    const username = requester(ctx)
    if (username === '') return { errors: [authenticationRequired(`${FIELD}.clearedBy`)] }

    if (bc['clearMethod'] === ClearMethod.Annotation && isTrusted(ctx, username)) {
      const source = annotationAttribution(ctx, bc)
      if (!source.ok) return { errors: source.errors }
      const errors = reasonErrors(source.value.reason, `${ANNOTATIONS}[${ANNOTATION_CLEAR}]`, ctx.options.minClearReasonWords)
      if (errors.length > 0) return { errors }
      bc['clearedBy'] = source.value.by
      bc['clearedAt'] = source.value.at
      bc['clearReason'] = source.value.reason
      // No audit record here: the operator's annotation write was the attribution and was audited
      // then, with their full identity; this is the controller carrying it into status.
      return {}
    }

    const errors = reasonErrors(bc['clearReason'], `${FIELD}.clearReason`, ctx.options.minClearReasonWords)
    if (errors.length > 0) return { errors }
    const warnings: FieldWarning[] = []
    if (!isSet(bc['clearMethod']) || bc['clearMethod'] === '') bc['clearMethod'] = ClearMethod.StatusField
    else if (bc['clearMethod'] === ClearMethod.Annotation) {
      warnings.push(
        warning(
          `${FIELD}.clearedBy`,
          `attributed to ${renderValue(username)} from the request, not from annotations: only --trusted-controllers may copy an annotation attribution`,
        ),
      )
    }
    const clearedAt = rfc3339Seconds(ctx.now)
    bc['clearedBy'] = username
    bc['clearedAt'] = clearedAt
    const effect = blockClearedEffect(
      ctx,
      { ...ctx.request.userInfo, username },
      bc['clearReason'] as string,
      String(bc['clearMethod']),
      clearedAt,
    )
    return { warnings, effects: [effect] }
  },
})

export const blockClearanceImmutable = defineRule({
  id: 'block-clearance-immutable',
  description: 'an attributed status.blockClearance (clearedBy set) cannot be changed or removed',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['', 'status'],
  field: FIELD,
  check: ({ object, oldObject }) => {
    const stored = attributedClearance(oldObject)
    if (stored === undefined) return []
    const who = `cleared by ${renderValue(stored['clearedBy'])} at ${renderValue(stored['clearedAt'] ?? null)}`
    const incoming = valueAt(object, 'status', 'blockClearance')
    if (!isSet(incoming)) return [forbidden(FIELD, `blockClearance is immutable once attributed (${who}): it cannot be removed`)]
    const changed = firstDifferences(stored, incoming, FIELD, 4)
    if (changed.length === 0) return []
    return [forbidden(FIELD, `blockClearance is immutable once attributed (${who}); changed: ${changed.join(', ')}`)]
  },
})

export const blockClearanceRequiresFailed = defineRule({
  id: 'block-clearance-requires-failed',
  description: 'a new status.blockClearance is accepted only when status.phase is Failed, as stored and as written',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['', 'status'],
  field: FIELD,
  check: (ctx) => {
    if (newClearance(ctx) === undefined) return []
    // The stored phase, and the written one: a single write cannot fail an execution and clear it.
    const stored = requiresFailed(FIELD, ctx.oldObject?.status)
    return stored.length > 0 ? stored : requiresFailed(FIELD, ctx.object.status)
  },
})

/**
 * The validating webhook's own check that a new attribution is true, so a request that skipped or
 * outran the mutating webhook still cannot record someone else as the clearer, or another time.
 */
export const blockClearanceTruthful = defineRule({
  id: 'block-clearance-truthful',
  description:
    'a new status.blockClearance names the requester and the time of the request (or, for trusted controllers with clearMethod Annotation, the webhook-written annotations)',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['', 'status'],
  field: FIELD,
  check: (ctx) => {
    const bc = newClearance(ctx)
    if (bc === undefined) return []
    if (!isRecord(bc)) return [invalid(FIELD, bc, 'must be an object with clearReason and clearMethod')]
    const username = requester(ctx)
    if (username === '') return [authenticationRequired(`${FIELD}.clearedBy`)]
    const errors: FieldError[] = []
    if (bc['clearMethod'] === ClearMethod.Annotation && isTrusted(ctx, username)) {
      const source = annotationAttribution(ctx, bc)
      if (!source.ok) return source.errors
      const { by, at, reason } = source.value
      if (bc['clearedBy'] !== by)
        errors.push(forbidden(`${FIELD}.clearedBy`, `must equal the ${ANNOTATION_CLEAR_BY} annotation (${renderValue(by)})`))
      if (parseRfc3339(bc['clearedAt']) !== parseRfc3339(at))
        errors.push(forbidden(`${FIELD}.clearedAt`, `must equal the ${ANNOTATION_CLEAR_AT} annotation (${renderValue(at)})`))
      if (bc['clearReason'] !== reason) errors.push(forbidden(`${FIELD}.clearReason`, `must equal the ${ANNOTATION_CLEAR} annotation`))
      return [...errors, ...reasonErrors(reason, `${ANNOTATIONS}[${ANNOTATION_CLEAR}]`, ctx.options.minClearReasonWords)]
    }
    if (bc['clearedBy'] !== username) {
      errors.push(
        forbidden(
          `${FIELD}.clearedBy`,
          `must be the requesting user ${renderValue(username)}: clearedBy is written by the webhook from the request's userInfo`,
        ),
      )
    }
    if (!isFreshTimestamp(bc['clearedAt'], ctx.now)) {
      errors.push(forbidden(`${FIELD}.clearedAt`, `must be the time of this request (RFC 3339, UTC): clearedAt is written by the webhook`))
    }
    return [...errors, ...reasonErrors(bc['clearReason'], `${FIELD}.clearReason`, ctx.options.minClearReasonWords)]
  },
})

export const blockClearanceRules = [
  blockClearanceAttribution,
  blockClearanceImmutable,
  blockClearanceRequiresFailed,
  blockClearanceTruthful,
]
