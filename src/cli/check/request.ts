// The AdmissionRequest the kube-apiserver would send for a manifest: the same fields, the
// namespace filled in as the apiserver does, a uid stable across runs (derived from the source).
import { createHash } from 'node:crypto'
import type { AdmissionRequest, UserInfo } from '../../admission/types.js'
import type { Subresource } from '../../admission/rule-contract.js'
import { authenticatedUser, storedForm } from '../../admission/apiserver.js'
import { GROUP, KIND, RESOURCE, VERSION } from '../../api/workflowexecution.js'

/** Who a check runs as when --user is not given: plainly not a person nor a controller. */
export const CI_USERNAME = 'wfe-admission:check'

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

/** Who the check runs as, as the apiserver passes a user on (system:authenticated added). */
export function identity(username: string | undefined, groups: readonly string[]): UserInfo {
  return authenticatedUser(username ?? CI_USERNAME, groups)
}

export function stableUid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex')
  // RFC 4122 layout, version 5-style nibble, so it reads as the uuid the apiserver would send.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export function synthesizeRequest(input: RequestInput): AdmissionRequest {
  const operation = input.oldObject === undefined ? 'CREATE' : 'UPDATE'
  // What the apiserver hands the webhooks: the stored form, as the server's core judges it too.
  const object = storedForm(operation, input.subresource, input.object, input.oldObject)
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
