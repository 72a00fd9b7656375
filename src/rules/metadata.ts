// What the apiserver itself checks of metadata before the validating webhooks run (apimachinery's
// ValidateObjectMeta and ValidateObjectMetaUpdate). Repeated here so that `check` in CI gives the
// cluster's verdict, and so that a write the apiserver will refuse never leaves an audit record.
import { defineRule } from '../admission/rule-contract.js'
import { FieldPath, forbidden, invalid, tooLong, type FieldError } from '../admission/field.js'
import { isRecord } from '../api/json.js'
import { valueAt } from './field-values.js'

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
/** apimachinery's TotalAnnotationSizeLimitB. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024

const QUALIFIED_NAME_DETAIL =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
const LABEL_VALUE_DETAIL =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)"

/** The first reason `key` is not a Kubernetes qualified name, or undefined when it is one. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/')
  if (parts.length > 2) return QUALIFIED_NAME_DETAIL
  const name = parts[parts.length - 1] as string
  if (parts.length === 2) {
    const prefix = parts[0] as string
    if (prefix === '') return 'prefix part must be non-empty'
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      return 'prefix part must be a lowercase RFC 1123 subdomain (at most 253 characters)'
  }
  if (name === '') return 'name part must be non-empty'
  if (name.length > 63) return 'name part must be no more than 63 characters'
  return NAME_PART.test(name) ? undefined : QUALIFIED_NAME_DETAIL
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

function checkLabels(labels: unknown, out: FieldError[]): void {
  if (!isRecord(labels)) return
  const path = FieldPath.root('metadata', 'labels')
  for (const [k, v] of Object.entries(labels)) {
    const problem = qualifiedNameProblem(k)
    if (problem !== undefined) out.push(invalid(path, k, problem))
    if (typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v))) out.push(invalid(path.key(k), v, LABEL_VALUE_DETAIL))
  }
}

function checkAnnotations(annotations: unknown, out: FieldError[]): void {
  if (!isRecord(annotations)) return
  const path = FieldPath.root('metadata', 'annotations')
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only when the lengths could exceed the limit are
  // the bytes counted (kubectl's last-applied annotation alone is ~10 KiB on every request).
  let units = 0
  for (const [k, v] of Object.entries(annotations)) {
    const problem = qualifiedNameProblem(k.toLowerCase())
    if (problem !== undefined) out.push(invalid(path, k, problem))
    units += k.length + (typeof v === 'string' ? v.length : 0)
  }
  if (units * 3 <= MAX_ANNOTATIONS_BYTES) return
  let total = 0
  for (const [k, v] of Object.entries(annotations)) total += bytes(k) + (typeof v === 'string' ? bytes(v) : 0)
  if (total > MAX_ANNOTATIONS_BYTES) out.push(tooLong(path, MAX_ANNOTATIONS_BYTES))
}

export const metadataApiserver = defineRule({
  id: 'metadata-apiserver',
  description:
    'label and annotation keys are qualified names, label values are valid, annotations total at most 256 KiB (what the apiserver refuses before the validating webhooks)',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: 'metadata',
  // The apiserver validates labels and annotations in full on every write: never ratcheted.
  ratchet: 'never',
  check: ({ object }) => {
    const metadata: unknown = object.metadata
    if (!isRecord(metadata)) return []
    const out: FieldError[] = []
    checkLabels(metadata['labels'], out)
    checkAnnotations(metadata['annotations'], out)
    return out.slice(0, 32)
  },
})

const IMMUTABLE_META = ['name', 'namespace', 'uid', 'creationTimestamp'] as const

export const metadataImmutable = defineRule({
  id: 'metadata-immutable',
  description: 'metadata.name, namespace, uid and creationTimestamp cannot change on update (the apiserver refuses it)',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: [''],
  field: 'metadata',
  check: ({ object, oldObject }) => {
    const now: unknown = object.metadata
    const before: unknown = oldObject?.metadata
    if (!isRecord(now) || !isRecord(before)) return []
    const out: FieldError[] = []
    for (const f of IMMUTABLE_META) {
      if (before[f] === undefined || before[f] === null || now[f] === before[f]) continue
      out.push(
        now[f] === undefined ? forbidden(`metadata.${f}`, 'field is immutable') : invalid(`metadata.${f}`, now[f], 'field is immutable'),
      )
    }
    return out
  },
})

const OWNER_FIELDS = ['apiVersion', 'kind', 'name', 'uid', 'controller'] as const

/**
 * The garbage collector's deletions are exempt from the block (a cascade from the owner must not
 * wedge), so who owns an execution decides who may lift its block: an owner added after CREATE
 * would let anyone who can delete that owner delete a blocked execution. Entries may be removed
 * (orphaning), and blockOwnerDeletion may be turned off (the collector does so itself), nothing else.
 */
export const ownerReferencesImmutable = defineRule({
  id: 'owner-references-immutable',
  ratchet: 'never',
  description: 'metadata.ownerReferences cannot be added or changed after CREATE (removing entries is allowed)',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: [''],
  field: 'metadata.ownerReferences',
  check: ({ object, oldObject }) => {
    const now = valueAt(object, 'metadata', 'ownerReferences')
    if (!Array.isArray(now) || now.length === 0) return []
    const before = valueAt(oldObject, 'metadata', 'ownerReferences')
    const stored = Array.isArray(before) ? before.filter(isRecord) : []
    const out: FieldError[] = []
    now.forEach((ref: unknown, i) => {
      const path = FieldPath.root('metadata', 'ownerReferences').index(i)
      const uid = isRecord(ref) ? ref['uid'] : undefined
      const match = stored.find((s) => s['uid'] === uid)
      const how =
        'ownerReferences are set at CREATE only (removing an entry is allowed): an owner decides who may delete a blocked execution'
      if (!isRecord(ref) || match === undefined) {
        out.push(forbidden(path, `an owner cannot be added after creation; ${how}`))
        return
      }
      const changed: string[] = OWNER_FIELDS.filter((f) => ref[f] !== match[f])
      if (ref['blockOwnerDeletion'] === true && match['blockOwnerDeletion'] !== true) changed.push('blockOwnerDeletion')
      if (changed.length > 0) out.push(forbidden(path, `an owner reference cannot be changed (changed: ${changed.join(', ')}); ${how}`))
    })
    return out.slice(0, 8)
  },
})

export const metadataRules = [metadataApiserver, metadataImmutable, ownerReferencesImmutable]
