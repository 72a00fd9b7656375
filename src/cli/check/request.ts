// The AdmissionRequest the kube-apiserver would send for a manifest: the same fields, the
// namespace filled in as the apiserver does, a uid stable across runs (derived from the source).
import { createHash } from 'node:crypto'
import type { AdmissionRequest, UserInfo } from '../../admission/types.js'
import type { Subresource } from '../../admission/rule-contract.js'
import { GROUP, KIND, RESOURCE, VERSION } from '../../api/workflowexecution.js'

/** Who a check runs as when --user is not given: plainly not a person nor a controller. */
export const CI_USERNAME = 'wfe-admission:check'
export const AUTHENTICATED = 'system:authenticated'

export interface RequestInput {
  object: Record<string, unknown>
  /** Present for UPDATE. */
  oldObject?: Record<string, unknown>
  subresource: Subresource
  userInfo: UserInfo
  dryRun: boolean
  /** Anything unique to this check, e.g. `file:line`; hashed into the uid. */
  key: string
}

/** The apiserver adds system:authenticated to every authenticated user. */
export function identity(username: string | undefined, groups: readonly string[]): UserInfo {
  const all = [...groups]
  if (!all.includes(AUTHENTICATED)) all.push(AUTHENTICATED)
  return { username: username ?? CI_USERNAME, groups: all }
}

export function stableUid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex')
  // RFC 4122 layout, version 5-style nibble, so it reads as the uuid the apiserver would send.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/**
 * What the apiserver hands the webhooks, given the CRD's status subresource: a CREATE or a
 * main-resource UPDATE cannot set status (it is dropped, or kept as stored), and a /status UPDATE
 * changes nothing but status. Checking the object as written would deny what the cluster allows.
 */
export function asSent(
  object: Record<string, unknown>,
  oldObject: Record<string, unknown> | undefined,
  subresource: Subresource,
): Record<string, unknown> {
  if (subresource === 'status') {
    if (oldObject === undefined) return object
    const sent: Record<string, unknown> = { ...oldObject }
    if (object['status'] === undefined) delete sent['status']
    else sent['status'] = object['status']
    return sent
  }
  const sent: Record<string, unknown> = { ...object }
  if (oldObject === undefined || oldObject['status'] === undefined) delete sent['status']
  else sent['status'] = oldObject['status']
  return sent
}

export function synthesizeRequest(input: RequestInput): AdmissionRequest {
  const operation = input.oldObject === undefined ? 'CREATE' : 'UPDATE'
  const object = asSent(input.object, input.oldObject, input.subresource)
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>
  const gvk = { group: GROUP, version: VERSION, kind: KIND }
  const gvr = { group: GROUP, version: VERSION, resource: RESOURCE }
  const options: Record<string, unknown> = {
    apiVersion: 'meta.k8s.io/v1',
    kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions',
  }
  if (input.dryRun) options['dryRun'] = ['All']
  const req: AdmissionRequest = {
    uid: stableUid(input.key),
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
    namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '',
    operation,
    userInfo: input.userInfo,
    object,
    oldObject: input.oldObject ?? null,
    dryRun: input.dryRun,
    options,
  }
  if (input.subresource !== '') {
    req.subResource = input.subresource
    req.requestSubResource = input.subresource
  }
  return req
}
