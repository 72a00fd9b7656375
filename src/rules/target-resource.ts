// spec.targetResource is the lock key for a remediation target (DD-WE-001): `namespace/kind/name`
// for namespaced resources, `kind/name` for cluster-scoped ones. Two spellings of one target would
// be two locks, so the form must match the kind's scope whenever the kind is a well-known one.
// CREATE only: on UPDATE, spec-immutable keeps the value.
import { defineRule, type Rule } from './define.js'
import { invalid, tooLong, type FieldError } from '../admission/field.js'
import { present } from './field-values.js'
import { isRecord } from '../api/json.js'

export const TARGET_RESOURCE_FORMAT = 'must be namespace/kind/name or kind/name'

const FIELD = 'spec.targetResource'
/** Longest value worth echoing back; namespace (63) + name (253) + a generous kind fit well under it. */
export const MAX_TARGET_RESOURCE_LENGTH = 1024

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const KIND = /^[A-Za-z][A-Za-z0-9]*$/

/** Built-in kinds that live in a namespace, lowercased; case-insensitive because docs write `deployment`. */
export const NAMESPACED_KINDS: ReadonlySet<string> = new Set([
  'deployment', 'statefulset', 'daemonset', 'replicaset', 'replicationcontroller', 'pod', 'podtemplate',
  'service', 'endpoints', 'endpointslice', 'configmap', 'secret', 'job', 'cronjob', 'persistentvolumeclaim',
  'ingress', 'serviceaccount', 'horizontalpodautoscaler', 'role', 'rolebinding', 'networkpolicy',
  'poddisruptionbudget', 'limitrange', 'resourcequota', 'event', 'lease', 'controllerrevision',
  'csistoragecapacity',
])

/** Built-in cluster-scoped kinds, lowercased. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'node', 'namespace', 'persistentvolume', 'storageclass', 'clusterrole', 'clusterrolebinding',
  'customresourcedefinition', 'priorityclass', 'ingressclass', 'runtimeclass', 'csidriver', 'csinode',
  'volumeattachment', 'certificatesigningrequest', 'apiservice', 'mutatingwebhookconfiguration',
  'validatingwebhookconfiguration', 'validatingadmissionpolicy', 'validatingadmissionpolicybinding',
  'flowschema', 'prioritylevelconfiguration',
])

export interface TargetResource {
  namespace?: string
  kind: string
  name: string
}

export type ParsedTarget = { ok: true; target: TargetResource } | { ok: false; detail: string; tooLong?: true }

/** Parses and checks each part; `detail` is the full error detail when it fails. */
export function parseTargetResource(text: string): ParsedTarget {
  if (text.length > MAX_TARGET_RESOURCE_LENGTH) return { ok: false, detail: '', tooLong: true }
  const parts = text.split('/')
  // Empty parts cover leading, trailing and doubled slashes; the shape alone says what is wrong.
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((p) => p === '')) return { ok: false, detail: TARGET_RESOURCE_FORMAT }
  const [namespace, kind, name] = parts.length === 3 ? (parts as [string, string, string]) : [undefined, parts[0] as string, parts[1] as string]
  const problems: string[] = []
  if (namespace !== undefined) {
    if (namespace.length > 63) problems.push(`namespace is ${namespace.length} characters, more than the 63 a DNS-1123 label allows`)
    else if (!DNS1123_LABEL.test(namespace)) problems.push(`namespace "${namespace}" must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`)
  }
  if (!KIND.test(kind)) problems.push(`kind "${kind}" must be a letter followed by letters or digits`)
  if (name.length > 253) problems.push(`name is ${name.length} characters, more than the 253 a DNS-1123 subdomain allows`)
  else if (!DNS1123_SUBDOMAIN.test(name)) problems.push(`name "${name}" must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`)
  if (problems.length > 0) return { ok: false, detail: `${TARGET_RESOURCE_FORMAT}: ${problems.join('; ')}` }
  return { ok: true, target: namespace === undefined ? { kind, name } : { namespace, kind, name } }
}

/** spec.targetResource and its parse, or undefined when it is absent or not a string (schema's to report). */
function parsedTarget(object: unknown): { text: string; parsed: ReturnType<typeof parseTargetResource> } | undefined {
  const spec = isRecord(object) ? present(object, 'spec') : undefined
  const text = isRecord(spec) ? present(spec, 'targetResource') : undefined
  return typeof text === 'string' ? { text, parsed: parseTargetResource(text) } : undefined
}

export const targetResourceFormat = defineRule({
  id: 'target-resource-format',
  description: 'spec.targetResource is namespace/kind/name or kind/name with a DNS-1123 label namespace, an alphanumeric kind and a DNS-1123 subdomain name',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE'],
  subresources: [''],
  field: FIELD,
  check: ({ object }): FieldError[] => {
    const target = parsedTarget(object)
    if (target === undefined || target.parsed.ok) return []
    const { text, parsed } = target
    if (parsed.tooLong) return [tooLong(FIELD, MAX_TARGET_RESOURCE_LENGTH, 'target-resource-format')]
    return [invalid(FIELD, text, parsed.detail, 'target-resource-format')]
  },
})

export const targetResourceScope = defineRule({
  id: 'target-resource-scope',
  description: 'a well-known namespaced kind uses namespace/kind/name and a well-known cluster-scoped kind uses kind/name; other kinds may use either',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE'],
  subresources: [''],
  field: FIELD,
  check: ({ object }): FieldError[] => {
    const target = parsedTarget(object)
    if (target === undefined) return []
    const { text, parsed } = target
    // A malformed value is target-resource-format's to report; its scope cannot be judged.
    if (!parsed.ok) return []
    const { namespace, kind, name } = parsed.target
    const k = kind.toLowerCase()
    if (namespace === undefined && NAMESPACED_KINDS.has(k)) {
      return [invalid(FIELD, text, `${kind} is namespaced: use namespace/${kind}/${name}`, 'target-resource-scope')]
    }
    if (namespace !== undefined && CLUSTER_SCOPED_KINDS.has(k)) {
      return [invalid(FIELD, text, `${kind} is cluster-scoped: use ${kind}/${name}`, 'target-resource-scope')]
    }
    return []
  },
})

export const targetResourceRules: Rule[] = [targetResourceFormat, targetResourceScope]
