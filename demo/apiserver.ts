// A model of the kube-apiserver, just enough to play the demo; not evidence of what the real one
// does (the e2e suite against a real control plane is). It has: a store of WorkflowExecutions, kubectl's
// writes (create, JSON merge patch on the resource or its /status), and the admission chain as the
// apiserver runs it — each matching mutating webhook over HTTPS (a fresh AdmissionReview uid per
// call), its JSON Patch applied, the strategy's own preparation, then each validating webhook on the
// result — storing the object only when every webhook allowed it and the request is not a dry run.
import { randomUUID } from 'node:crypto'
import { Agent, request as httpsRequest } from 'node:https'
import type { AdmissionRequest, AdmissionReview, AdmissionResponse, UserInfo } from '../src/admission/types.js'
import type { PatchOperation } from '../src/admission/patch.js'
import { applyTo, decodePatch } from '../test/helpers/patch.js'
import { GROUP, KIND, RESOURCE, VERSION, type WorkflowExecution } from '../src/api/workflowexecution.js'
import { evaluateConditions, ruleMatches, type WebhookEntry } from './webhooks.js'
import { isRecord } from '../src/api/json.js'
import { storedForm } from '../src/admission/apiserver.js'

export type Write =
  | { kind: 'create'; object: WorkflowExecution; fieldManager?: string }
  | { kind: 'patch'; name: string; namespace: string; subresource?: 'status'; patch: Record<string, unknown>; fieldManager?: string }

export interface WriteRequest {
  user: UserInfo
  write: Write
  dryRun?: boolean
}

/** One webhook's part in a request: called (with its uid and answer), skipped, or failed. */
export interface WebhookCall {
  webhook: string
  type: 'mutating' | 'validating'
  outcome: 'allowed' | 'patched' | 'denied' | 'skipped' | 'error'
  uid?: string
  request?: AdmissionRequest
  response?: AdmissionResponse
  patch?: PatchOperation[]
  /** Why it was skipped (the false matchCondition) or why the call failed. */
  detail?: string
}

export interface WriteResult {
  allowed: boolean
  /** What kubectl would print on failure: the apiserver's message naming the webhook. */
  message?: string
  /** The Status reason kubectl prints in parentheses: Forbidden, Invalid, InternalError... */
  reason?: string
  deniedBy?: string
  /** Every mutating webhook's JSON Patch operations, in order. */
  patch: PatchOperation[]
  warnings: string[]
  calls: WebhookCall[]
  /** The object as stored (or, for a dry run, as it would have been). */
  object?: WorkflowExecution
}

export interface FakeApiserverOptions {
  port: number
  ca: string
  webhooks: readonly WebhookEntry[]
  now: () => Date
}

const GVK = { group: GROUP, version: VERSION, kind: KIND }
const GVR = { group: GROUP, version: VERSION, resource: RESOURCE }

/** RFC 7386: objects merge, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch)
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

function seconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export interface FakeApiserver {
  apply(request: WriteRequest): Promise<WriteResult>
  get(namespace: string, name: string): WorkflowExecution | undefined
  close(): void
}

export function createFakeApiserver(options: FakeApiserverOptions): FakeApiserver {
  const store = new Map<string, WorkflowExecution>()
  let resourceVersion = 1000
  // The apiserver keeps connections to a webhook open across reviews.
  const agent = new Agent({ keepAlive: true, maxSockets: 2, ca: options.ca })

  function post(hook: WebhookEntry, review: AdmissionReview): Promise<AdmissionReview> {
    const body = JSON.stringify(review)
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: options.port,
          method: 'POST',
          // The apiserver appends the webhook's timeout to the URL.
          path: `${hook.path}?timeout=${hook.timeoutSeconds}s`,
          headers: { 'content-type': 'application/json', accept: 'application/json, */*', 'content-length': Buffer.byteLength(body) },
          agent,
          timeout: hook.timeoutSeconds * 1000,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`))
            try {
              resolve(JSON.parse(text) as AdmissionReview)
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)))
            }
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('context deadline exceeded')))
      req.on('error', reject)
      req.end(body)
    })
  }

  function admissionRequest(w: WriteRequest, object: WorkflowExecution, oldObject: WorkflowExecution | undefined): AdmissionRequest {
    const create = w.write.kind === 'create'
    const sub = w.write.kind === 'patch' ? w.write.subresource : undefined
    const dryRun = w.dryRun === true
    const request: AdmissionRequest = {
      uid: randomUUID(),
      kind: GVK,
      resource: GVR,
      requestKind: GVK,
      requestResource: GVR,
      name: object.metadata.name ?? '',
      namespace: object.metadata.namespace ?? '',
      operation: create ? 'CREATE' : 'UPDATE',
      userInfo: structuredClone(w.user),
      object: structuredClone(object),
      oldObject: create ? null : structuredClone(oldObject ?? null),
      dryRun,
      options: {
        kind: create ? 'CreateOptions' : 'UpdateOptions',
        apiVersion: 'meta.k8s.io/v1',
        ...(dryRun ? { dryRun: ['All'] } : {}),
        fieldManager: w.write.fieldManager ?? (create ? 'kubectl-create' : 'kubectl-patch'),
      },
    }
    // The apiserver omits an empty subResource (omitempty), which the matchCondition relies on.
    if (sub !== undefined) {
      request.subResource = sub
      request.requestSubResource = sub
    }
    return request
  }

  /** Runs one webhook; returns the patch it asked for, or a failed WriteResult to stop at. */
  async function callHook(
    hook: WebhookEntry,
    request: AdmissionRequest,
    calls: WebhookCall[],
    warnings: string[],
  ): Promise<PatchOperation[] | string> {
    const conditions = evaluateConditions(hook, request)
    if ('error' in conditions) {
      calls.push({ webhook: hook.name, type: hook.type, outcome: 'error', detail: conditions.error })
      return `failed calling webhook "${hook.name}": ${conditions.error}`
    }
    if (!conditions.call) {
      calls.push({ webhook: hook.name, type: hook.type, outcome: 'skipped', detail: `matchCondition ${conditions.condition} is false` })
      return []
    }
    const sent = { ...request, uid: randomUUID() }
    let response: AdmissionResponse | undefined
    try {
      response = (await post(hook, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: sent })).response
      if (response?.uid !== sent.uid)
        throw new Error(`expected response.uid=${JSON.stringify(sent.uid)}, got ${JSON.stringify(response?.uid)}`)
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err)
      calls.push({ webhook: hook.name, type: hook.type, outcome: 'error', uid: sent.uid, request: sent, detail })
      return `failed calling webhook "${hook.name}": ${detail}`
    }
    warnings.push(...(response.warnings ?? []))
    if (!response.allowed) {
      calls.push({ webhook: hook.name, type: hook.type, outcome: 'denied', uid: sent.uid, request: sent, response })
      return `admission webhook "${hook.name}" denied the request: ${response.status?.message ?? 'without explanation'}`
    }
    const patch = response.patch === undefined ? [] : decodePatch(response.patch)
    calls.push({
      webhook: hook.name,
      type: hook.type,
      outcome: patch.length > 0 ? 'patched' : 'allowed',
      uid: sent.uid,
      request: sent,
      response,
      patch,
    })
    return patch
  }

  /** The CRD strategy's PrepareForCreate/PrepareForUpdate, which runs between the two phases. */
  // Status dropped or kept as the product's one model of the apiserver says (src/admission/apiserver.ts);
  // the demo adds what only a store does: uid, generation, creationTimestamp.
  function prepare(w: WriteRequest, object: WorkflowExecution, old: WorkflowExecution | undefined): WorkflowExecution {
    const subresource = w.write.kind === 'patch' && w.write.subresource === 'status' ? 'status' : ''
    const next = structuredClone(storedForm(old === undefined ? 'CREATE' : 'UPDATE', subresource, object, old))
    if (old === undefined) {
      return { ...next, metadata: { ...next.metadata, uid: randomUUID(), generation: 1, creationTimestamp: seconds(options.now()) } }
    }
    if (subresource === '' && !sameJson(old.spec, object.spec)) next.metadata.generation = (old.metadata.generation ?? 1) + 1
    return next
  }

  async function apply(w: WriteRequest): Promise<WriteResult> {
    const key =
      w.write.kind === 'create'
        ? `${w.write.object.metadata.namespace}/${w.write.object.metadata.name}`
        : `${w.write.namespace}/${w.write.name}`
    const old = w.write.kind === 'create' ? undefined : store.get(key)
    if (w.write.kind === 'patch' && old === undefined) throw new Error(`workflowexecutions "${w.write.name}" not found`)
    if (w.write.kind === 'create' && store.has(key)) throw new Error(`workflowexecutions "${w.write.object.metadata.name}" already exists`)
    let object = (
      w.write.kind === 'create' ? structuredClone(w.write.object) : mergePatch(structuredClone(old), w.write.patch)
    ) as WorkflowExecution

    const calls: WebhookCall[] = []
    const warnings: string[] = []
    const patch: PatchOperation[] = []
    const base = admissionRequest(w, object, old)
    const stop = (message: string): WriteResult => {
      const last = calls.at(-1)
      const reason = last?.outcome === 'denied' ? (last.response?.status?.reason ?? 'Forbidden') : 'InternalError'
      return {
        allowed: false,
        message: reason === 'InternalError' ? `Internal error occurred: ${message}` : message,
        reason,
        deniedBy: last?.webhook,
        patch,
        warnings,
        calls,
      }
    }

    for (const hook of options.webhooks.filter((h) => h.type === 'mutating' && ruleMatches(h, base))) {
      const out = await callHook(hook, { ...base, object: structuredClone(object) }, calls, warnings)
      if (typeof out === 'string') return stop(out)
      if (out.length > 0) object = applyTo(object, out)
      patch.push(...out)
    }
    object = prepare(w, object, old)
    const validating = admissionRequest(w, object, old)
    for (const hook of options.webhooks.filter((h) => h.type === 'validating' && ruleMatches(h, validating))) {
      const out = await callHook(hook, validating, calls, warnings)
      if (typeof out === 'string') return stop(out)
    }
    if (w.dryRun !== true) {
      object.metadata.resourceVersion = String(++resourceVersion)
      store.set(key, object)
    }
    return { allowed: true, patch, warnings, calls, object }
  }

  return {
    apply,
    get: (namespace, name) => {
      const w = store.get(`${namespace}/${name}`)
      return w === undefined ? undefined : structuredClone(w)
    },
    close: () => agent.destroy(),
  }
}
