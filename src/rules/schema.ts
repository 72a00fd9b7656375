// A walker that reports type errors against the CRD's structural schema (src/api/structural-schema.ts)
// the way the apiserver would. In a
// cluster the apiserver checks this after mutation; offline (`check` in CI) nothing else does, so
// every other family also guards its own types and never assumes these ran.
import { defineRule, type RuleContext } from '../admission/rule-contract.js'
import { FieldPath, invalid, required, type FieldError } from '../admission/field.js'
import { isRecord } from '../api/json.js'
import { METADATA_SCHEMA, SPEC_SCHEMA, STATUS_SCHEMA, type SchemaNode } from '../api/structural-schema.js'
import { MAX_ERRORS_PER_RULE, present, valueAt } from './field-values.js'

/** The JSON type name of a value, as the apiserver names it in type errors. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

/** RFC 3339, which metav1.Time writes and the apiserver's date-time format accepts. */
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1

/** Type errors in `value` against `node` (at most MAX_ERRORS_PER_RULE); `value` is present (not undefined/null). */
export function validateSchema(value: unknown, node: SchemaNode, path: FieldPath): FieldError[] {
  const out: FieldError[] = []
  walk(value, node, { root: path, kinds: [], names: [] }, out)
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

function wrongType(value: unknown, want: string, c: Cursor, out: FieldError[]): void {
  out.push(invalid(pathOf(c), jsonType(value), `must be of type ${want}`))
}

/** Property entries of each object node, computed once per node rather than per request. */
const entriesOf = new WeakMap<object, [string, SchemaNode][]>()
function propertyEntries(node: { properties: Readonly<Record<string, SchemaNode>> }): [string, SchemaNode][] {
  let e = entriesOf.get(node)
  if (e === undefined) entriesOf.set(node, (e = Object.entries(node.properties)))
  return e
}

function walkAt(value: unknown, node: SchemaNode, c: Cursor, kind: 'child' | 'key' | 'index', name: string, out: FieldError[]): void {
  c.kinds.push(kind)
  c.names.push(name)
  walk(value, node, c, out)
  c.kinds.pop()
  c.names.pop()
}

function walk(value: unknown, node: SchemaNode, c: Cursor, out: FieldError[]): void {
  if (out.length >= MAX_ERRORS_PER_RULE) return
  switch (node.type) {
    case 'any':
      return
    case 'string':
      if (typeof value !== 'string') wrongType(value, 'string', c, out)
      else if (node.format === 'date-time' && !DATE_TIME.test(value))
        out.push(invalid(pathOf(c), value, 'must be an RFC 3339 date-time such as 2026-11-25T10:20:30Z'))
      return
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) wrongType(value, 'number', c, out)
      return
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) wrongType(value, 'integer', c, out)
      else if (node.format === 'int32' && (value < INT32_MIN || value > INT32_MAX))
        out.push(invalid(pathOf(c), value, 'must fit in a 32-bit integer'))
      return
    case 'boolean':
      if (typeof value !== 'boolean') wrongType(value, 'boolean', c, out)
      return
    case 'array':
      if (!Array.isArray(value)) {
        wrongType(value, 'array', c, out)
        return
      }
      for (let i = 0; i < value.length && out.length < MAX_ERRORS_PER_RULE; i++) walkAt(value[i], node.items, c, 'index', String(i), out)
      return
    case 'map':
      if (!isRecord(value)) {
        wrongType(value, 'object', c, out)
        return
      }
      // A string map (labels, annotations, parameters) needs no descent for a string value.
      for (const key in value) {
        if (out.length >= MAX_ERRORS_PER_RULE) break
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue
        const v = value[key]
        if (node.values.type === 'string' && typeof v === 'string') continue
        walkAt(v, node.values, c, 'key', key, out)
      }
      return
    case 'object':
      if (!isRecord(value)) {
        wrongType(value, 'object', c, out)
        return
      }
      for (const key of node.required ?? []) {
        if (present(value, key) === undefined) {
          c.kinds.push('child')
          c.names.push(key)
          out.push(required(pathOf(c), ''))
          c.kinds.pop()
          c.names.pop()
        }
      }
      // Unknown properties are pruned by the apiserver, not rejected, so only declared ones are walked.
      for (const [key, child] of propertyEntries(node)) {
        if (out.length >= MAX_ERRORS_PER_RULE) break
        const v = present(value, key)
        if (v !== undefined) walkAt(v, child, c, 'child', key, out)
      }
      return
  }
}

function section(ctx: RuleContext, name: 'spec' | 'metadata' | 'status'): unknown {
  return valueAt(ctx.object, name)
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
    if (spec === undefined) return [required('spec', '')]
    return validateSchema(spec, SPEC_SCHEMA, FieldPath.root('spec'))
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
    return metadata === undefined ? [] : validateSchema(metadata, METADATA_SCHEMA, FieldPath.root('metadata'))
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
    return status === undefined ? [] : validateSchema(status, STATUS_SCHEMA, FieldPath.root('status'))
  },
})

export const schemaRules = [schemaSpec, schemaMetadata, schemaStatus]
