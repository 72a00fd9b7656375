// The AdmissionReview envelope, as pure functions shared by the server and the `review` command:
// decode and check what the apiserver sent, and wrap a response in the version it spoke.
import {
  ADMISSION_V1,
  ADMISSION_V1BETA1,
  OPERATIONS,
  type AdmissionApiVersion,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReview,
} from './types.js'
import { isRecord } from '../api/json.js'

const MiB = 1024 * 1024
/** The kube-apiserver refuses a request body over 3 MiB (genericapiserver Config.MaxRequestBodyBytes). */
export const APISERVER_MAX_REQUEST_BYTES = 3 * MiB
/** etcd's default --max-request-bytes: no stored object (already Go-escaped JSON for a custom resource) is larger. */
export const ETCD_MAX_OBJECT_BYTES = 1.5 * MiB
/** Go's encoding/json writes `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`: one byte becomes six. */
export const GO_ESCAPE_GROWTH = 6
/** uid, kind, resource, userInfo (groups, extra), options: generous room for the rest of the review. */
export const REVIEW_ENVELOPE_BYTES = 1 * MiB

/**
 * The largest AdmissionReview the apiserver can send, so that no review is refused with a 413 (a
 * denial under failurePolicy: Fail). `object` is decoded from a request body of at most 3 MiB and
 * re-encoded by Go for the webhook: a body of `<` inside strings grows sixfold, 18 MiB. `oldObject`
 * is the stored object, at most 1.5 MiB in etcd; counted sixfold as well (9 MiB), in case a stored
 * form ever holds the characters unescaped. Plus the envelope: 28 MiB.
 */
export const MAX_REVIEW_BYTES = GO_ESCAPE_GROWTH * (APISERVER_MAX_REQUEST_BYTES + ETCD_MAX_OBJECT_BYTES) + REVIEW_ENVELOPE_BYTES

export type DecodedReview =
  | { ok: true; apiVersion: AdmissionApiVersion; request: AdmissionRequest }
  | { ok: false; message: string; uid?: string; apiVersion?: AdmissionApiVersion }

/** Checks that `body` is an AdmissionReview request; the message says what is wrong when not. */
export function decodeReview(body: unknown): DecodedReview {
  if (!isRecord(body)) return { ok: false, message: `body must be a JSON object (an AdmissionReview), got ${describe(body)}` }
  const apiVersion = body['apiVersion']
  const uidRaw = isRecord(body['request']) ? body['request']['uid'] : undefined
  const uid = typeof uidRaw === 'string' && uidRaw !== '' ? uidRaw : undefined
  const fail = (message: string): DecodedReview => (uid === undefined ? { ok: false, message } : { ok: false, message, uid })
  if (body['kind'] !== 'AdmissionReview') return fail(`kind must be "AdmissionReview", got ${describe(body['kind'])}`)
  if (apiVersion !== ADMISSION_V1 && apiVersion !== ADMISSION_V1BETA1) {
    return fail(`apiVersion must be "${ADMISSION_V1}" or "${ADMISSION_V1BETA1}", got ${describe(apiVersion)}`)
  }
  const req = body['request']
  if (!isRecord(req)) return fail('request is missing: an AdmissionReview sent to a webhook must carry a request')
  if (uid === undefined) return fail('request.uid is missing or empty')
  const withVersion = (message: string): DecodedReview => ({ ok: false, message, uid, apiVersion })
  if (typeof req['operation'] !== 'string' || !(OPERATIONS as readonly string[]).includes(req['operation'])) {
    return withVersion(`request.operation must be one of ${OPERATIONS.join(', ')}, got ${describe(req['operation'])}`)
  }
  if (req['userInfo'] !== undefined && !isRecord(req['userInfo'])) return withVersion('request.userInfo must be an object')
  if (req['subResource'] !== undefined && typeof req['subResource'] !== 'string') return withVersion('request.subResource must be a string')
  return { ok: true, apiVersion, request: req as unknown as AdmissionRequest }
}

export function encodeReview(apiVersion: AdmissionApiVersion, response: AdmissionResponse): AdmissionReview {
  return { apiVersion, kind: 'AdmissionReview', response }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return v.length > 64 ? `a string of ${v.length} characters` : JSON.stringify(v)
  if (typeof v === 'object') return 'an object'
  return `${typeof v} ${String(v)}`
}
