// spec.targetResource is the lock key for a remediation target (DD-WE-001): `namespace/kind/name`
// for namespaced resources, `kind/name` for cluster-scoped ones. Two spellings of one target would
// be two locks, so the form must match the kind's scope whenever the kind is a well-known one.
// CREATE only: on UPDATE, spec-immutable keeps the value.
import { defineRule } from '../admission/rule-contract.js'
import { invalid, tooLong, type FieldError } from '../admission/field.js'
import { valueAt } from './field-values.js'
import { CRD_OPEN_API_SCHEMA } from '../api/crd-schema.generated.js'

export const TARGET_RESOURCE_FORMAT = 'must be namespace/kind/name or kind/name'

const FIELD = 'spec.targetResource'
/** The CRD's maxLength: namespace (63) + name (253) + a generous kind fit well under it. */
export const MAX_TARGET_RESOURCE_LENGTH = CRD_OPEN_API_SCHEMA.properties.spec.properties.targetResource.maxLength

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const KIND = /^[A-Za-z][A-Za-z0-9]*$/

/** Built-in kinds that live in a namespace, lowercased; case-insensitive because docs write `deployment`. */
export const NAMESPACED_KINDS: ReadonlySet<string> = new Set([
  'deployment',
  'statefulset',
  'daemonset',
  'replicaset',
  'replicationcontroller',
  'pod',
  'podtemplate',
  'service',
  'endpoints',
  'endpointslice',
  'configmap',
  'secret',
  'job',
  'cronjob',
  'persistentvolumeclaim',
  'ingress',
  'serviceaccount',
  'horizontalpodautoscaler',
  'role',
  'rolebinding',
  'networkpolicy',
  'poddisruptionbudget',
  'limitrange',
  'resourcequota',
  'event',
  'lease',
  'controllerrevision',
  'csistoragecapacity',
])

/** Built-in cluster-scoped kinds, lowercased. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'node',
  'namespace',
  'persistentvolume',
  'storageclass',
  'clusterrole',
  'clusterrolebinding',
  'customresourcedefinition',
  'priorityclass',
  'ingressclass',
  'runtimeclass',
  'csidriver',
  'csinode',
  'volumeattachment',
  'certificatesigningrequest',
  'apiservice',
  'mutatingwebhookconfiguration',
  'validatingwebhookconfiguration',
  'validatingadmissionpolicy',
  'validatingadmissionpolicybinding',
  'flowschema',
  'prioritylevelconfiguration',
  'clustertrustbundle',
])

/**
 * How the apiserver validates an object name, per kind (k8s.io/kubernetes pkg/apis/<group>/validation):
 * most kinds and every custom resource use a DNS-1123 subdomain; Namespace a DNS-1123 label;
 * Service a DNS-1035 label; RBAC objects (`system:aggregate-to-edit`) and ClusterTrustBundles
 * (`example.com:signer:name`) only a path segment. A kind we do not know may be an aggregated API
 * with its own rules, so it gets the loosest (path segment): a valid target is never refused.
 */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment'
export const NAME_RULES: Readonly<Record<string, NameRule>> = {
  namespace: 'dns1123-label',
  service: 'dns1035-label',
  role: 'path-segment',
  rolebinding: 'path-segment',
  clusterrole: 'path-segment',
  clusterrolebinding: 'path-segment',
  clustertrustbundle: 'path-segment',
}

export function nameRuleOf(kind: string): NameRule {
  const k = kind.toLowerCase()
  const special = NAME_RULES[k]
  if (special !== undefined) return special
  return NAMESPACED_KINDS.has(k) || CLUSTER_SCOPED_KINDS.has(k) ? 'dns1123-subdomain' : 'path-segment'
}

function isKnownKind(text: string): boolean {
  const k = text.toLowerCase()
  return NAMESPACED_KINDS.has(k) || CLUSTER_SCOPED_KINDS.has(k)
}

/** Why `name` is not a valid name for `kind`, or undefined. */
function nameProblem(kind: string, name: string): string | undefined {
  switch (nameRuleOf(kind)) {
    case 'dns1123-subdomain':
      if (name.length > 253) return `name is ${name.length} characters, more than the 253 a DNS-1123 subdomain allows`
      return DNS1123_SUBDOMAIN.test(name)
        ? undefined
        : `name "${name}" must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`
    case 'dns1123-label':
      if (name.length > 63) return `name is ${name.length} characters, more than the 63 a ${kind} name (DNS-1123 label) allows`
      return DNS1123_LABEL.test(name)
        ? undefined
        : `name "${name}" must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`
    case 'dns1035-label':
      if (name.length > 63) return `name is ${name.length} characters, more than the 63 a ${kind} name (DNS-1035 label) allows`
      return DNS1035_LABEL.test(name)
        ? undefined
        : `name "${name}" must be a DNS-1035 label (lowercase letters, digits and '-', starting with a letter and ending with a letter or digit)`
    case 'path-segment':
      return name === '.' || name === '..' || name.includes('%')
        ? `name "${name}" must be a valid path segment (not "." or "..", no "/" or "%")`
        : undefined
  }
}

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
  // "payment/Deployment" and "payment/Deployment/" read as a target whose name was left out: say so,
  // rather than that "Deployment" is not a valid name.
  const last = parts[parts.length - 1]
  const body = parts.slice(0, -1)
  if (
    (parts.length === 2 || parts.length === 3) &&
    last === '' &&
    body.every((p) => p !== '') &&
    KIND.test(body[body.length - 1] as string)
  ) {
    return { ok: false, detail: `${TARGET_RESOURCE_FORMAT}: name is missing after "${body.join('/')}/"` }
  }
  if (parts.length === 2 && !isKnownKind(parts[0] as string) && isKnownKind(parts[1] as string) && DNS1123_LABEL.test(parts[0] as string)) {
    return { ok: false, detail: `${TARGET_RESOURCE_FORMAT}: name is missing: "${text}" reads as namespace/kind; use ${text}/<name>` }
  }
  // Empty parts cover leading, trailing and doubled slashes; the shape alone says what is wrong.
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((p) => p === '')) return { ok: false, detail: TARGET_RESOURCE_FORMAT }
  const [namespace, kind, name] =
    parts.length === 3 ? (parts as [string, string, string]) : [undefined, parts[0] as string, parts[1] as string]
  const problems: string[] = []
  if (namespace !== undefined) {
    if (namespace.length > 63) problems.push(`namespace is ${namespace.length} characters, more than the 63 a DNS-1123 label allows`)
    else if (!DNS1123_LABEL.test(namespace))
      problems.push(
        `namespace "${namespace}" must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
      )
  }
  if (!KIND.test(kind)) problems.push(`kind "${kind}" must be a letter followed by letters or digits`)
  else {
    const problem = nameProblem(kind, name)
    if (problem !== undefined) problems.push(problem)
  }
  if (problems.length > 0) return { ok: false, detail: `${TARGET_RESOURCE_FORMAT}: ${problems.join('; ')}` }
  return { ok: true, target: namespace === undefined ? { kind, name } : { namespace, kind, name } }
}

/** spec.targetResource and its parse, or undefined when it is absent or not a string (schema's to report). */
function parsedTarget(object: unknown): { text: string; parsed: ReturnType<typeof parseTargetResource> } | undefined {
  const text = valueAt(object, 'spec', 'targetResource')
  return typeof text === 'string' ? { text, parsed: parseTargetResource(text) } : undefined
}

export const targetResourceFormat = defineRule({
  id: 'target-resource-format',
  description:
    'spec.targetResource is namespace/kind/name or kind/name with a DNS-1123 label namespace, an alphanumeric kind and a name valid for that kind (DNS-1123 subdomain for most; a path segment for RBAC objects and unknown kinds)',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE'],
  subresources: [''],
  field: FIELD,
  check: ({ object }): FieldError[] => {
    const target = parsedTarget(object)
    if (target === undefined || target.parsed.ok) return []
    const { text, parsed } = target
    if (parsed.tooLong) return [tooLong(FIELD, MAX_TARGET_RESOURCE_LENGTH)]
    return [invalid(FIELD, text, parsed.detail)]
  },
})

export const targetResourceScope = defineRule({
  id: 'target-resource-scope',
  description:
    'a well-known namespaced kind uses namespace/kind/name and a well-known cluster-scoped kind uses kind/name; other kinds may use either',
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
      return [invalid(FIELD, text, `${kind} is namespaced: use namespace/${kind}/${name}`)]
    }
    if (namespace !== undefined && CLUSTER_SCOPED_KINDS.has(k)) {
      return [invalid(FIELD, text, `${kind} is cluster-scoped: use ${kind}/${name}`)]
    }
    return []
  },
})

export const targetResourceRules = [targetResourceFormat, targetResourceScope]
