// The CRD's structural OpenAPI schema as data, and a walker that reports type errors the way the
// apiserver would. In a cluster the apiserver checks this after mutation; offline (`check` in CI)
// nothing else does, so every other family also guards its own types and never assumes these ran.
import { defineRule, type RuleContext } from './define.js'
import { FieldPath, invalid, required, type FieldError } from '../admission/field.js'
import { isRecord } from '../api/json.js'
import { MAX_ERRORS_PER_RULE, present } from './field-values.js'


/** The JSON type name of a value, as the apiserver names it in type errors. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

/** One node of the schema; `any` is x-kubernetes-preserve-unknown-fields (engineConfig). */
export type SchemaNode =
  | { type: 'string'; format?: 'date-time' }
  | { type: 'number' }
  | { type: 'integer'; format?: 'int32' | 'int64' }
  | { type: 'boolean' }
  | { type: 'object'; properties: Readonly<Record<string, SchemaNode>>; required?: readonly string[] }
  | { type: 'map'; values: SchemaNode }
  | { type: 'array'; items: SchemaNode }
  | { type: 'any' }

const str: SchemaNode = { type: 'string' }
const time: SchemaNode = { type: 'string', format: 'date-time' }
const int64: SchemaNode = { type: 'integer', format: 'int64' }
const int32: SchemaNode = { type: 'integer', format: 'int32' }
const stringMap: SchemaNode = { type: 'map', values: str }

function object(properties: Record<string, SchemaNode>, required: readonly string[] = []): SchemaNode {
  return { type: 'object', properties, required }
}

/** Fields without `omitempty`/`+optional` in the seed's Go types are required, as controller-gen makes them. */
export const SPEC_SCHEMA = object(
  {
    remediationRequestRef: object({ kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str }),
    workflowRef: object(
      { workflowId: str, version: str, executionBundle: str, executionBundleDigest: str, engineConfig: { type: 'any' } },
      ['workflowId', 'version', 'executionBundle'],
    ),
    targetResource: str,
    parameters: stringMap,
    confidence: { type: 'number' },
    rationale: str,
    executionConfig: object({ timeout: str }),
  },
  ['remediationRequestRef', 'workflowRef', 'targetResource'],
)

export const METADATA_SCHEMA = object({
  name: str,
  generateName: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  generation: int64,
  labels: stringMap,
  annotations: stringMap,
  finalizers: { type: 'array', items: str },
  creationTimestamp: time,
  deletionTimestamp: time,
  deletionGracePeriodSeconds: int64,
})

const CONDITION = object(
  { type: str, status: str, observedGeneration: int64, lastTransitionTime: time, reason: str, message: str },
  ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
)

export const STATUS_SCHEMA = object({
  observedGeneration: int64,
  phase: str,
  startTime: time,
  completionTime: time,
  duration: str,
  executionRef: object({ name: str }),
  executionStatus: object({ status: str, reason: str, message: str, completedTasks: int64, totalTasks: int64 }, ['status']),
  failureReason: str,
  failureDetails: object(
    {
      failedTaskIndex: int64,
      failedTaskName: str,
      failedStepName: str,
      reason: str,
      message: str,
      exitCode: int32,
      failedAt: time,
      executionTimeBeforeFailure: str,
      naturalLanguageSummary: str,
      wasExecutionFailure: { type: 'boolean' },
    },
    ['failedTaskIndex', 'failedTaskName', 'reason', 'message', 'failedAt', 'naturalLanguageSummary'],
  ),
  blockClearance: object({ clearedAt: time, clearedBy: str, clearReason: str, clearMethod: str }, ['clearedBy', 'clearReason', 'clearMethod']),
  ephemeralCredentialIDs: { type: 'array', items: int64 },
  executionEngine: str,
  serviceAccountName: str,
  conditions: { type: 'array', items: CONDITION },
})

/** RFC 3339, which metav1.Time writes and the apiserver's date-time format accepts. */
const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1

/** Type errors in `value` against `node` (at most MAX_ERRORS_PER_RULE); `value` is present (not undefined/null). */
export function validateSchema(value: unknown, node: SchemaNode, path: FieldPath, origin: string): FieldError[] {
  const out: FieldError[] = []
  walk(value, node, { root: path, kinds: [], names: [] }, origin, out)
  return out.slice(0, MAX_ERRORS_PER_RULE)
}

/**
 * Where the walk is: the root and a stack of segments (a string is a property, `[k]` a key or an
 * index). The path string is built only for an error, so a valid object costs no string building.
 */
interface Cursor {
  root: FieldPath
  /** Parallel stacks: what each segment is, and its name. */
  kinds: ('child' | 'key' | 'index')[]
  names: string[]
}

function pathOf(c: Cursor): FieldPath {
  let p = c.root
  for (let i = 0; i < c.kinds.length; i++) {
    const name = c.names[i] as string
    const kind = c.kinds[i]
    p = kind === 'child' ? p.child(name) : kind === 'key' ? p.key(name) : p.index(Number(name))
  }
  return p
}

function wrongType(value: unknown, want: string, c: Cursor, origin: string, out: FieldError[]): void {
  out.push(invalid(pathOf(c), jsonType(value), `must be of type ${want}`, origin))
}

/** Property entries of each object node, computed once per node rather than per request. */
const entriesOf = new WeakMap<object, [string, SchemaNode][]>()
function propertyEntries(node: { properties: Readonly<Record<string, SchemaNode>> }): [string, SchemaNode][] {
  let e = entriesOf.get(node)
  if (e === undefined) entriesOf.set(node, (e = Object.entries(node.properties)))
  return e
}

function walkAt(value: unknown, node: SchemaNode, c: Cursor, kind: 'child' | 'key' | 'index', name: string, origin: string, out: FieldError[]): void {
  c.kinds.push(kind)
  c.names.push(name)
  walk(value, node, c, origin, out)
  c.kinds.pop()
  c.names.pop()
}

function walk(value: unknown, node: SchemaNode, c: Cursor, origin: string, out: FieldError[]): void {
  if (out.length >= MAX_ERRORS_PER_RULE) return
  switch (node.type) {
    case 'any':
      return
    case 'string':
      if (typeof value !== 'string') wrongType(value, 'string', c, origin, out)
      else if (node.format === 'date-time' && !DATE_TIME.test(value)) out.push(invalid(pathOf(c), value, 'must be an RFC 3339 date-time such as 2026-11-25T10:20:30Z', origin))
      return
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) wrongType(value, 'number', c, origin, out)
      return
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) wrongType(value, 'integer', c, origin, out)
      else if (node.format === 'int32' && (value < INT32_MIN || value > INT32_MAX)) out.push(invalid(pathOf(c), value, 'must fit in a 32-bit integer', origin))
      return
    case 'boolean':
      if (typeof value !== 'boolean') wrongType(value, 'boolean', c, origin, out)
      return
    case 'array':
      if (!Array.isArray(value)) {
        wrongType(value, 'array', c, origin, out)
        return
      }
      for (let i = 0; i < value.length && out.length < MAX_ERRORS_PER_RULE; i++) walkAt(value[i], node.items, c, 'index', String(i), origin, out)
      return
    case 'map':
      if (!isRecord(value)) {
        wrongType(value, 'object', c, origin, out)
        return
      }
      // A string map (labels, annotations, parameters) needs no descent for a string value.
      for (const key in value) {
        if (out.length >= MAX_ERRORS_PER_RULE) break
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue
        const v = value[key]
        if (node.values.type === 'string' && typeof v === 'string') continue
        walkAt(v, node.values, c, 'key', key, origin, out)
      }
      return
    case 'object':
      if (!isRecord(value)) {
        wrongType(value, 'object', c, origin, out)
        return
      }
      for (const key of node.required ?? []) {
        if (present(value, key) === undefined) {
          c.kinds.push('child')
          c.names.push(key)
          out.push(required(pathOf(c), '', origin))
          c.kinds.pop()
          c.names.pop()
        }
      }
      // Unknown properties are pruned by the apiserver, not rejected, so only declared ones are walked.
      for (const [key, child] of propertyEntries(node)) {
        if (out.length >= MAX_ERRORS_PER_RULE) break
        const v = present(value, key)
        if (v !== undefined) walkAt(v, child, c, 'child', key, origin, out)
      }
      return
  }
}

function section(ctx: RuleContext, name: 'spec' | 'metadata' | 'status'): unknown {
  return isRecord(ctx.object) ? present(ctx.object, name) : undefined
}

export const schemaSpec = defineRule({
  id: 'schema-spec',
  description: 'spec and its required fields are present and every declared spec field has the CRD schema type',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: 'spec',
  ratchet: 'field',
  check: (ctx) => {
    const spec = section(ctx, 'spec')
    if (spec === undefined) return [required('spec', '', 'schema-spec')]
    return validateSchema(spec, SPEC_SCHEMA, FieldPath.root('spec'), 'schema-spec')
  },
})

export const schemaMetadata = defineRule({
  id: 'schema-metadata',
  description: 'metadata fields (name, namespace, labels, annotations, finalizers, generation, timestamps) have their ObjectMeta types',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: 'metadata',
  ratchet: 'field',
  check: (ctx) => {
    const metadata = section(ctx, 'metadata')
    return metadata === undefined ? [] : validateSchema(metadata, METADATA_SCHEMA, FieldPath.root('metadata'), 'schema-metadata')
  },
})

export const schemaStatus = defineRule({
  id: 'schema-status',
  description: 'on a /status write, every declared status field has the CRD schema type and nested required fields are present',
  kind: 'validate',
  severity: 'deny',
  operations: ['UPDATE'],
  subresources: ['status'],
  field: 'status',
  ratchet: 'field',
  check: (ctx) => {
    const status = section(ctx, 'status')
    return status === undefined ? [] : validateSchema(status, STATUS_SCHEMA, FieldPath.root('status'), 'schema-status')
  },
})

export const schemaRules = [schemaSpec, schemaMetadata, schemaStatus]
