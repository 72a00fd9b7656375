// Decoding the request's objects as WorkflowExecutions, kept apart from policy: a review for another
// resource, or an object of another kind, is an error (400), never "not mine, allow".
import { API_VERSION, GROUP, KIND, RESOURCE, type WorkflowExecution } from '../api/workflowexecution.js'
import type { AdmissionRequest } from './types.js'
import type { Subresource } from './rule-contract.js'
import { describe } from './review.js'
import { isRecord } from '../api/json.js'

export type DecodedRequest =
  | { ok: true; subresource: Subresource; object: WorkflowExecution | undefined; oldObject: WorkflowExecution | undefined }
  | { ok: false; message: string }

export function decodeRequest(req: AdmissionRequest): DecodedRequest {
  const res = req.resource as unknown
  if (!isRecord(res) || res['group'] !== GROUP || res['resource'] !== RESOURCE) {
    const got = isRecord(res) ? `${String(res['resource'])}.${String(res['group'])}` : describe(res)
    return { ok: false, message: `request.resource: this webhook admits ${RESOURCE}.${GROUP} only, got ${got}` }
  }
  const sub = req.subResource ?? ''
  if (sub !== '' && sub !== 'status') {
    return { ok: false, message: `request.subResource: "${sub}" is not served; only the main resource and "status" are` }
  }
  const needsObject = req.operation === 'CREATE' || req.operation === 'UPDATE'
  // On DELETE the apiserver sends the object being deleted as oldObject (and no object).
  const needsOld = req.operation === 'UPDATE' || (req.operation === 'DELETE' && req.oldObject !== undefined && req.oldObject !== null)
  const object = needsObject ? decodeObject(req.object, 'request.object') : { ok: true as const, value: undefined }
  if (!object.ok) return object
  const oldObject = needsOld ? decodeObject(req.oldObject, 'request.oldObject') : { ok: true as const, value: undefined }
  if (!oldObject.ok) return oldObject
  return { ok: true, subresource: sub, object: object.value, oldObject: oldObject.value }
}

function decodeObject(raw: unknown, where: string): { ok: true; value: WorkflowExecution } | { ok: false; message: string } {
  if (!isRecord(raw)) return { ok: false, message: `${where}: must be a ${API_VERSION} ${KIND} object, got ${describe(raw)}` }
  if (raw['apiVersion'] !== API_VERSION || raw['kind'] !== KIND) {
    return {
      ok: false,
      message: `${where}: must be a ${API_VERSION} ${KIND}, got apiVersion ${describe(raw['apiVersion'])} kind ${describe(raw['kind'])}`,
    }
  }
  if (raw['metadata'] !== undefined && !isRecord(raw['metadata']))
    return { ok: false, message: `${where}.metadata: must be an object, got ${describe(raw['metadata'])}` }
  return { ok: true, value: raw as unknown as WorkflowExecution }
}
