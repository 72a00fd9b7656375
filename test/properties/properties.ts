// The core's properties, shared by the bounded run in `npm test` and the long run in `npm run fuzz`:
// admit() never throws, always answers what the kube-apiserver accepts, its patches apply and are
// idempotent, and its verdict does not depend on key order.
import fc from 'fast-check'
import { admit } from '../../src/admission/admit.js'
import { decodeReview } from '../../src/admission/review.js'
import { applyTo, decodePatch } from '../helpers/patch.js'
import type { AdmissionRequest, AdmissionResponse, UserInfo, WebhookKind } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { aFailedExecution, aRequest, aWorkflowExecution, CONTROLLER, OPERATOR, ORCHESTRATOR, testPolicy } from '../helpers/objects.js'

const policy = testPolicy()

/** Paths worth poking: every field of the seed plus the annotations attribution reads. */
const PATHS: string[][] = [
  ['spec'],
  ['spec', 'targetResource'],
  ['spec', 'confidence'],
  ['spec', 'parameters'],
  ['spec', 'parameters', 'NAMESPACE'],
  ['spec', 'parameters', 'lower_key'],
  ['spec', 'parameters', '9bad'],
  ['spec', 'executionConfig'],
  ['spec', 'executionConfig', 'timeout'],
  ['spec', 'workflowRef'],
  ['spec', 'workflowRef', 'workflowId'],
  ['spec', 'workflowRef', 'version'],
  ['spec', 'workflowRef', 'executionBundle'],
  ['spec', 'workflowRef', 'engineConfig'],
  ['spec', 'remediationRequestRef'],
  ['spec', 'remediationRequestRef', 'name'],
  ['spec', 'rationale'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'labels'],
  ['metadata', 'annotations'],
  ['metadata', 'annotations', 'kubernaut.ai/clear-execution-block'],
  ['metadata', 'annotations', 'kubernaut.ai/clear-execution-block-by'],
  ['metadata', 'annotations', 'kubernaut.ai/clear-execution-block-at'],
  ['status'],
  ['status', 'phase'],
  ['status', 'executionEngine'],
  ['status', 'serviceAccountName'],
  ['status', 'failureDetails'],
  ['status', 'failureDetails', 'reason'],
  ['status', 'failureDetails', 'wasExecutionFailure'],
  ['status', 'blockClearance'],
  ['status', 'blockClearance', 'clearedBy'],
  ['status', 'blockClearance', 'clearReason'],
  ['status', 'blockClearance', 'clearMethod'],
  ['status', 'blockClearance', 'clearedAt'],
  ['status', 'conditions'],
  ['status', 'executionStatus'],
  ['status', 'executionStatus', 'status'],
  ['status', 'ephemeralCredentialIDs'],
  ['status', 'observedGeneration'],
]

const interesting = fc.oneof(
  fc.constantFrom(
    'Pending',
    'Running',
    'Completed',
    'Failed',
    'Skipped',
    'tekton',
    'job',
    'ansible',
    'StatusField',
    'Annotation',
    'APIEndpoint',
    'True',
    'False',
    'Unknown',
    'TaskFailed',
    '30m',
    '0s',
    '-1h',
    'payment/Deployment/api',
    'node/worker-1',
    'a//b',
    '/x/y',
    'ns/Node/n',
    'manual investigation complete cluster verified',
    'two words',
    '',
    ' ',
    'alice@kubernaut.ai',
    'ghcr.io/kubernaut/x:v1',
  ),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
)

const value: fc.Arbitrary<unknown> = fc.oneof({ depthSize: 'small' }, interesting, fc.jsonValue({ maxDepth: 3 }), fc.string())

type Edit = { path: string[]; value: unknown; remove: boolean }
const edit: fc.Arbitrary<Edit> = fc.record({ path: fc.constantFrom(...PATHS), value, remove: fc.boolean() })

function applyEdit(target: unknown, e: Edit): void {
  let cur = target as Record<string, unknown>
  for (const k of e.path.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object' || Array.isArray(cur[k])) cur[k] = {}
    cur = cur[k] as Record<string, unknown>
  }
  const last = e.path[e.path.length - 1] as string
  if (e.remove) delete cur[last]
  else cur[last] = e.value
}

function edited(base: WorkflowExecution, edits: Edit[]): WorkflowExecution {
  const copy = structuredClone(base)
  for (const e of edits) applyEdit(copy, e)
  return copy
}

const user: fc.Arbitrary<UserInfo> = fc.oneof(
  fc.constantFrom(OPERATOR, CONTROLLER, ORCHESTRATOR, {}, { username: '' }),
  fc.record({ username: fc.string(), groups: fc.array(fc.string(), { maxLength: 2 }) }),
)

export interface Case {
  request: AdmissionRequest
  webhook: WebhookKind
}

/** Requests built from valid objects with random edits, in every operation/subresource the webhook sees. */
export const mutatedCase: fc.Arbitrary<Case> = fc
  .record({
    kind: fc.constantFrom('create', 'update', 'status'),
    base: fc.constantFrom(aWorkflowExecution(), aFailedExecution()),
    oldEdits: fc.array(edit, { maxLength: 2 }),
    newEdits: fc.array(edit, { maxLength: 4 }),
    userInfo: user,
    dryRun: fc.boolean(),
    webhook: fc.constantFrom<WebhookKind>('validate', 'mutate', 'both'),
  })
  .map(({ kind, base, oldEdits, newEdits, userInfo, dryRun, webhook }) => {
    const oldObject = edited(base, oldEdits)
    const object = edited(oldObject, newEdits)
    const request =
      kind === 'create'
        ? aRequest({ object, userInfo, dryRun })
        : aRequest({ operation: 'UPDATE', object, oldObject, userInfo, dryRun, ...(kind === 'status' ? { subResource: 'status' } : {}) })
    return { request, webhook }
  })

/** Arbitrary JSON where the objects go, and arbitrary envelopes. */
export const arbitraryCase: fc.Arbitrary<Case> = fc
  .record({
    object: fc.jsonValue({ maxDepth: 4 }),
    oldObject: fc.jsonValue({ maxDepth: 4 }),
    operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
    sub: fc.constantFrom(undefined, 'status', 'scale'),
    webhook: fc.constantFrom<WebhookKind>('validate', 'mutate', 'both'),
    wrapKind: fc.boolean(),
  })
  .map(({ object, oldObject, operation, sub, webhook, wrapKind }) => {
    const obj =
      wrapKind && object !== null && typeof object === 'object' && !Array.isArray(object)
        ? { ...object, apiVersion: 'kubernaut.ai/v1alpha1', kind: 'WorkflowExecution' }
        : object
    const request = aRequest({ operation: operation, object: obj, oldObject, ...(sub === undefined ? {} : { subResource: sub }) })
    request.object = obj
    request.oldObject = oldObject
    return { request, webhook }
  })

/** What the kube-apiserver checks of a response; returns a reason when it would refuse it. */
export function apiserverRefuses(res: AdmissionResponse, req: AdmissionRequest, webhook: WebhookKind): string | undefined {
  if (res.uid !== req.uid) return 'uid not echoed'
  if (typeof res.allowed !== 'boolean') return 'allowed is not a boolean'
  if ((res.patch === undefined) !== (res.patchType === undefined)) return 'patch and patchType not together'
  if (webhook === 'validate' && res.patch !== undefined) return 'validating response carries a patch'
  if (res.patch !== undefined && !res.allowed) return 'patch on a denial'
  if (res.status?.code !== undefined && !Number.isInteger(res.status.code)) return 'status.code not an integer'
  if (res.warnings !== undefined && !res.warnings.every((w) => typeof w === 'string')) return 'warnings not strings'
  return undefined
}

function shuffleKeys(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, seed))
  if (v === null || typeof v !== 'object') return v
  const entries = Object.entries(v as Record<string, unknown>)
  entries.reverse()
  if (seed % 2 === 1 && entries.length > 1) entries.push(entries.shift() as [string, unknown])
  return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, seed)]))
}

function causesKey(res: AdmissionResponse): string {
  return JSON.stringify((res.status?.details?.causes ?? []).map((c) => `${c.field}|${c.type}|${c.message}`).sort())
}

/** Checks every property on one case; throws with the reason when one fails. */
export function checkCase({ request, webhook }: Case): void {
  const before = JSON.stringify([request.object, request.oldObject])
  const result = admit(request, policy, webhook)
  if (JSON.stringify([request.object, request.oldObject]) !== before) throw new Error('admit modified the request it was given')
  const refusal = apiserverRefuses(result.response, request, webhook)
  if (refusal !== undefined) throw new Error(refusal)
  if (result.response.status?.code === 500) throw new Error(`internal error: ${result.response.status.message}`)
  if (result.response.patch !== undefined) {
    const ops = decodePatch(result.response.patch)
    const after = applyTo(request.object, ops)
    const again = admit({ ...request, object: after }, policy, webhook)
    if (again.response.patch !== undefined) throw new Error(`mutation not idempotent: ${JSON.stringify(decodePatch(again.response.patch))}`)
  }
  const reordered = admit(
    { ...request, object: shuffleKeys(request.object, 1), oldObject: shuffleKeys(request.oldObject, 2) },
    policy,
    webhook,
  )
  if (reordered.response.allowed !== result.response.allowed || causesKey(reordered.response) !== causesKey(result.response)) {
    throw new Error('verdict depends on key order')
  }
}

/** Arbitrary bytes-as-JSON bodies through the envelope decoder and, when it accepts, the core. */
export const arbitraryBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 5 }),
  fc.record({
    apiVersion: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1', 'v1'),
    kind: fc.constantFrom('AdmissionReview', 'Pod'),
    request: fc.jsonValue({ maxDepth: 4 }),
  }),
)

export function checkBody(body: unknown): void {
  const d = decodeReview(body)
  if (!d.ok) return
  const res = admit(d.request, policy, 'both').response
  if (typeof res.allowed !== 'boolean') throw new Error('allowed is not a boolean')
}
