// The CRD's structural OpenAPI schema (manifests/crd, generated into crd-schema.generated.ts) as
// nodes: what the schema rules walk (rules/schema.ts) and what the apiserver model prunes against
// (admission/apiserver.ts). Converted once, at start-up.
import { CRD_OPEN_API_SCHEMA } from './crd-schema.generated.js'
import type { OpenApiSchema } from './openapi.js'

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
const stringMap: SchemaNode = { type: 'map', values: str }

/**
 * A CRD schema node as the walker's node. Only the structure is taken (types, formats, required
 * fields, properties, maps, arrays, preserved unknown fields): value constraints (enums, ranges,
 * patterns, lengths) are the business of the rule families that name them.
 */
export function schemaNodeOf(s: OpenApiSchema, path: string): SchemaNode {
  if (s.type === undefined) {
    if (s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-int-or-string'] === true) return { type: 'any' }
    throw new Error(`CRD schema at ${path}: no type`)
  }
  switch (s.type) {
    case 'string':
      return s.format === 'date-time' ? time : str
    case 'number':
      return { type: 'number' }
    case 'integer':
      return s.format === 'int32' ? { type: 'integer', format: 'int32' } : s.format === 'int64' ? int64 : { type: 'integer' }
    case 'boolean':
      return { type: 'boolean' }
    case 'array':
      if (s.items === undefined) throw new Error(`CRD schema at ${path}: an array without items`)
      return { type: 'array', items: schemaNodeOf(s.items, `${path}[]`) }
    case 'object': {
      if (typeof s.additionalProperties === 'object') return { type: 'map', values: schemaNodeOf(s.additionalProperties, `${path}{}`) }
      const properties = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, schemaNodeOf(v, `${path}.${k}`)]))
      return { type: 'object', properties, required: s.required ?? [] }
    }
  }
}

function crdSection(name: 'spec' | 'status'): SchemaNode {
  const section = CRD_OPEN_API_SCHEMA.properties?.[name]
  if (section === undefined) throw new Error(`CRD schema: no ${name}`)
  return schemaNodeOf(section, name)
}

/** spec and status as the CRD declares them (manifests/crd, generated into src/api), converted once at start-up. */
export const SPEC_SCHEMA = crdSection('spec')
export const STATUS_SCHEMA = crdSection('status')

/** ObjectMeta is Kubernetes' own type, not the CRD's (the CRD says only `metadata: {type: object}`). */
export const METADATA_SCHEMA: SchemaNode = {
  type: 'object',
  properties: {
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
  },
  required: [],
}
