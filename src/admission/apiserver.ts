// What the kube-apiserver does to a WorkflowExecution write before (and between) the admission
// webhooks, modelled once: the server's core (admit.ts) and `check` (cli/check/) both call it, so
// their verdicts rest on one model. Where this model and the real apiserver disagree, the real one
// wins and the difference becomes a test (test/e2e/).
// - Decoding prunes unknown fields (the CRD's structural schema; kubectl prints the apiserver's
//   `unknown field "spec.foo"` warnings) and drops `null` in a field that is not nullable, so
//   `spec.confidence: null` is no confidence at all. Inside engineConfig
//   (x-kubernetes-preserve-unknown-fields) nothing is pruned; in metadata (ObjectMeta, which the
//   apiserver knows in full) only its own top-level field names are checked and nulls dropped.
// - An object that names no namespace gets the request's.
// - Every authenticated user is also in system:authenticated.
// - The CRD's update strategy (status subresource on) runs after mutating admission and before
//   validating admission: CREATE drops status; an UPDATE of the main resource keeps the stored
//   status, whatever the request carried; an UPDATE of /status keeps the stored metadata and spec
//   (uid included) and changes status only. (A main-resource write that changes uid is refused by
//   the apiserver and by rule metadata-apiserver.) Judging a clearance, or recording one, on the
//   object as sent would judge what is thrown away.
import type { Operation, UserInfo } from './types.js'
import type { Subresource } from './rule-contract.js'
import { SPEC_SCHEMA, STATUS_SCHEMA, type SchemaNode } from '../api/structural-schema.js'
import { isRecord } from '../api/json.js'
import { cloneJson } from '../api/lossless-json.js'

type Obj = Record<string, unknown>

/** The object as the apiserver will store it (and as the validating webhooks are sent it). */
export function storedForm<T extends object>(operation: Operation, subresource: Subresource, object: T, oldObject: T | undefined): T {
  const sent = object as T & { status?: unknown }
  if (operation === 'CREATE') {
    if (sent.status === undefined) return object
    const { status: _dropped, ...created } = sent
    return created as T
  }
  if (operation !== 'UPDATE' || oldObject === undefined) return object
  const stored = oldObject as T & { status?: unknown }
  const next: T & { status?: unknown } = subresource === 'status' ? { ...stored } : { ...sent }
  const status = subresource === 'status' ? sent.status : stored.status
  if (status === undefined) delete next.status
  else next.status = status
  return next
}

export const AUTHENTICATED_GROUP = 'system:authenticated'

/** The user as the apiserver passes it on: every authenticated user is in system:authenticated. */
export function authenticatedUser(username: string, groups: readonly string[]): UserInfo {
  const all = [...groups]
  if (!all.includes(AUTHENTICATED_GROUP)) all.push(AUTHENTICATED_GROUP)
  return { username, groups: all }
}

/** A copy of `object` with the request's namespace put in when it names none. */
export function withNamespace(object: Obj, namespace: string): Obj {
  const copy = cloneJson(object)
  if (copy['metadata'] === undefined || copy['metadata'] === null) copy['metadata'] = {}
  const meta = copy['metadata']
  if (isRecord(meta) && (meta['namespace'] === undefined || meta['namespace'] === '')) meta['namespace'] = namespace
  return copy
}

/** The top level of a WorkflowExecution, as the CRD declares it. */
const ROOT: Readonly<Record<string, SchemaNode | 'metadata' | 'scalar'>> = {
  apiVersion: 'scalar',
  kind: 'scalar',
  metadata: 'metadata',
  spec: SPEC_SCHEMA,
  status: STATUS_SCHEMA,
}

/** ObjectMeta's fields (k8s.io/apimachinery meta/v1): any other key under metadata is unknown. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
])

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Prunes `value` in place against `node`; records each unknown field's path. */
function prune(value: unknown, node: SchemaNode, path: string, unknown: string[]): void {
  if (node.type === 'object' && isRecord(value)) {
    for (const key of Object.keys(value)) {
      const child = node.properties[key]
      if (child === undefined) {
        unknown.push(childPath(path, key))
        delete value[key]
      } else if (value[key] === null) {
        delete value[key]
      } else {
        prune(value[key], child, childPath(path, key), unknown)
      }
    }
  } else if (node.type === 'map' && isRecord(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === null) delete value[key]
      else prune(value[key], node.values, `${path}[${key}]`, unknown)
    }
  } else if (node.type === 'array' && Array.isArray(value)) {
    // Items are not removed (that would renumber the list): a null item is the schema's to report.
    value.forEach((item, i) => prune(item, node.items, `${path}[${i}]`, unknown))
  }
}

/**
 * A pruned deep copy of `object` and the paths of the unknown fields removed. A value of the
 * wrong type is left for the schema rules to report.
 */
export function pruneAsApiserver(object: Obj): { object: Obj; unknown: string[] } {
  const copy = cloneJson(object)
  const unknown: string[] = []
  for (const key of Object.keys(copy)) {
    const node = ROOT[key]
    if (node === undefined) {
      unknown.push(key)
      delete copy[key]
    } else if (copy[key] === null) {
      delete copy[key]
    } else if (node === 'metadata') {
      const meta = copy[key]
      if (isRecord(meta))
        for (const k of Object.keys(meta)) {
          if (!OBJECT_META_FIELDS.has(k)) unknown.push(`metadata.${k}`)
          if (meta[k] === null || !OBJECT_META_FIELDS.has(k)) delete meta[k]
        }
    } else if (node !== 'scalar') {
      prune(copy[key], node, key, unknown)
    }
  }
  return { object: copy, unknown }
}

/** The apiserver's warning for a pruned field (fieldValidation=Warn, kubectl --validate=warn). */
export function unknownFieldWarning(path: string): string {
  return `unknown field "${path}"`
}

/** The apiserver's refusal under fieldValidation=Strict (kubectl's default), per field. */
export function unknownFieldError(path: string): string {
  return `strict decoding error: unknown field "${path}"`
}
