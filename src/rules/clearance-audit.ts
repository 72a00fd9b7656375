// The facts the kube-apiserver's own audit log should carry about a request that touches a block:
// returned as the AdmissionResponse's auditAnnotations, which the apiserver writes into the audit
// event of that very request, next to the authenticated user and the final response code. So an
// admitted clearance that was then refused (another webhook, a conflict) and a stored one are told
// apart by the apiserver, not by us. Pure: computed by the core from the request and its verdict.
//
// The apiserver prefixes each key with the webhook's name (`<webhook name>/<key>`) and drops any
// whose result is not a qualified name (k8s.io/apiserver admission.checkKeyFormat), so keys here
// are short DNS labels and values are bounded.
import type { BlockDeletedEffect } from '../admission/types.js'
import type { AuditInput, AuditOutcome } from '../admission/rule-contract.js'
import { correlationIdOf, rfc3339Seconds } from './clearance-attribution.js'
import { ANNOTATION_CLEAR, ClearMethod } from '../api/workflowexecution.js'
import { semanticEqual } from '../api/semantic-equal.js'
import { blockInForce, CASCADE_DELETERS, removesLastFinalizer } from './clearance-lifting.js'
import { annotationsOf, recordAt, valueAt } from './field-values.js'

/** Longest value written; a reason or name past it is cut with an ellipsis (the full one is in the object). */
export const MAX_AUDIT_VALUE = 256

export type AuditedAct = 'clear-block' | 'copy-clearance' | 'delete-blocked' | 'remove-last-finalizer-blocked'

/** The audit annotations and, for an admitted deletion of a blocked execution, its effect. */
export function clearanceAudit(input: AuditInput): AuditOutcome | undefined {
  const annotations = clearanceAuditAnnotations(input)
  if (annotations === undefined) return undefined
  const act = annotations['act']
  if (!input.allowed || (act !== 'delete-blocked' && act !== 'remove-last-finalizer-blocked')) return { annotations, effects: [] }
  const w = input.oldObject
  const meta = recordAt(w, 'metadata')
  const u = input.request.userInfo ?? {}
  const actor: BlockDeletedEffect['actor'] = { username: typeof u.username === 'string' ? u.username : '' }
  if (typeof u.uid === 'string' && u.uid !== '') actor.uid = u.uid
  if (Array.isArray(u.groups)) actor.groups = u.groups.filter((g): g is string => typeof g === 'string')
  const resource: BlockDeletedEffect['resource'] = { namespace: String(meta?.['namespace'] ?? ''), name: String(meta?.['name'] ?? '') }
  if (typeof meta?.['uid'] === 'string') resource.uid = meta['uid']
  const effect: BlockDeletedEffect = {
    type: 'workflowexecution.block.deleted',
    actor,
    resource,
    act,
    time: rfc3339Seconds(input.now),
    correlationId: correlationIdOf(w, resource.name),
    admissionUid: input.request.uid,
  }
  if (annotations['exemption'] !== undefined) effect.exemption = annotations['exemption']
  return { annotations, effects: [effect] }
}

function cut(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v ?? null)
  return s.length > MAX_AUDIT_VALUE ? `${s.slice(0, MAX_AUDIT_VALUE - 1)}…` : s
}

/** What the request does to a block, if anything. */
export function auditedAct(input: Pick<AuditInput, 'request' | 'object' | 'oldObject' | 'options'>): AuditedAct | undefined {
  const { request, object, oldObject } = input
  const sub = request.subResource ?? ''
  if (request.operation === 'DELETE') return oldObject !== undefined && blockInForce(oldObject) ? 'delete-blocked' : undefined
  if (object === undefined) return undefined
  if (request.operation === 'UPDATE' && sub === 'status') {
    const bc = valueAt(object, 'status', 'blockClearance')
    if (bc === undefined || semanticEqual(valueAt(oldObject, 'status', 'blockClearance') ?? null, bc)) return undefined
    const user = request.userInfo?.username
    const trusted = typeof user === 'string' && input.options.trustedControllers.includes(user)
    return valueAt(bc, 'clearMethod') === ClearMethod.Annotation && trusted ? 'copy-clearance' : 'clear-block'
  }
  if (sub !== '') return undefined
  const clear = annotationsOf(object)[ANNOTATION_CLEAR]
  if (clear !== undefined && clear !== annotationsOf(oldObject)[ANNOTATION_CLEAR]) return 'clear-block'
  if (request.operation === 'UPDATE' && oldObject !== undefined && removesLastFinalizer({ object, oldObject }) && blockInForce(oldObject))
    return 'remove-last-finalizer-blocked'
  return undefined
}

/** The audit annotations for one request, or undefined when it touches no block. */
export function clearanceAuditAnnotations(input: Omit<AuditInput, 'now'>): Record<string, string> | undefined {
  const act = auditedAct(input)
  if (act === undefined) return undefined
  const { request } = input
  const subject = input.oldObject ?? input.object
  const meta = recordAt(subject, 'metadata')
  const user = request.userInfo?.username
  const out: Record<string, string> = {
    act,
    decision: input.allowed ? 'admitted' : 'refused',
    user: cut(typeof user === 'string' ? user : ''),
    execution: cut(`${String(meta?.['namespace'] ?? request.namespace ?? '')}/${String(meta?.['name'] ?? request.name ?? '')}`),
  }
  if (typeof meta?.['uid'] === 'string') out['execution-uid'] = cut(meta['uid'])
  const target = recordAt(subject, 'spec')?.['targetResource']
  if (target !== undefined) out['target'] = cut(target)
  if (!input.allowed && input.deniedBy.length > 0) out['denied-by'] = cut([...new Set(input.deniedBy)].join(','))
  if (act === 'clear-block' || act === 'copy-clearance') {
    const bc = recordAt(input.object, 'status', 'blockClearance')
    const sub = request.subResource ?? ''
    if (sub === 'status' && bc !== undefined) {
      out['method'] = act === 'copy-clearance' ? ClearMethod.Annotation : cut(bc['clearMethod'] ?? ClearMethod.StatusField)
      out['reason'] = cut(bc['clearReason'] ?? '')
    } else {
      out['method'] = ClearMethod.Annotation
      out['reason'] = cut(annotationsOf(input.object)[ANNOTATION_CLEAR] ?? '')
    }
    if (act === 'copy-clearance') out['exemption'] = 'trusted-controller'
  } else if (typeof user === 'string' && CASCADE_DELETERS.includes(user)) {
    out['exemption'] = 'cascade-deleter'
  }
  return out
}
