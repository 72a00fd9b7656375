// admission.k8s.io/v1 AdmissionReview types (not in @kubernetes/client-node: the apiserver's
// admission API is not part of its OpenAPI spec) plus the core's own verdict and effect types.

export const ADMISSION_V1 = 'admission.k8s.io/v1'
export const ADMISSION_V1BETA1 = 'admission.k8s.io/v1beta1'
export type AdmissionApiVersion = typeof ADMISSION_V1 | typeof ADMISSION_V1BETA1

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'
export const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT']

export interface GroupVersionKind {
  group: string
  version: string
  kind: string
}

export interface GroupVersionResource {
  group: string
  version: string
  resource: string
}

export interface UserInfo {
  username?: string
  uid?: string
  groups?: string[]
  extra?: Record<string, string[]>
}

export interface AdmissionRequest {
  uid: string
  kind: GroupVersionKind
  resource: GroupVersionResource
  subResource?: string
  requestKind?: GroupVersionKind
  requestResource?: GroupVersionResource
  requestSubResource?: string
  name?: string
  namespace?: string
  operation: Operation
  userInfo: UserInfo
  object?: unknown
  oldObject?: unknown
  dryRun?: boolean
  options?: unknown
}

export interface StatusCause {
  type: string
  field: string
  message: string
}

export interface Status {
  code?: number
  reason?: string
  message?: string
  details?: { causes?: StatusCause[] }
}

export interface AdmissionResponse {
  uid: string
  allowed: boolean
  status?: Status
  patch?: string
  patchType?: 'JSONPatch'
  auditAnnotations?: Record<string, string>
  warnings?: string[]
}

export interface AdmissionReview {
  apiVersion: AdmissionApiVersion
  kind: 'AdmissionReview'
  request?: AdmissionRequest
  response?: AdmissionResponse
}

/** Which webhook endpoint is answering; `both` runs mutate then validate, as the apiserver does. */
export type WebhookKind = 'validate' | 'mutate' | 'both'

/** An audit-worthy fact the core found; carried out at the edge (effects/), never on dryRun. */
export interface BlockClearedEffect {
  type: 'workflowexecution.block.cleared'
  actor: { username: string; uid?: string; groups?: string[] }
  resource: { namespace: string; name: string; uid?: string }
  reason: string
  method: string
  time: string
  correlationId: string
  admissionUid: string
}

/**
 * An admitted deletion of a blocked execution (a DELETE, or the removal of its last finalizer while
 * it terminates): only the cascade deleters are admitted. The edge keeps the deleter as evidence
 * for the audit recorder, which records the deletion when it observes it.
 */
export interface BlockDeletedEffect {
  type: 'workflowexecution.block.deleted'
  actor: { username: string; uid?: string; groups?: string[] }
  resource: { namespace: string; name: string; uid?: string }
  act: 'delete-blocked' | 'remove-last-finalizer-blocked'
  exemption?: string
  time: string
  correlationId: string
  admissionUid: string
}

export type Effect = BlockClearedEffect | BlockDeletedEffect
