// What the kube-apiserver does to a custom resource while decoding it, before any webhook sees it:
// unknown fields are pruned (the CRD's structural schema; kubectl prints the apiserver's
// `unknown field "spec.foo"` warnings), and `null` in a field that is not nullable is dropped, so
// `spec.confidence: null` is the same as no confidence at all. `check` does the same, so it judges
// what the cluster would judge. Inside engineConfig (x-kubernetes-preserve-unknown-fields) nothing
// is pruned; metadata is ObjectMeta's, which only the apiserver knows in full, so only its nulls go.
import { SPEC_SCHEMA, STATUS_SCHEMA, type SchemaNode } from '../../api/structural-schema.js'
import { isRecord } from '../../api/json.js'
import { cloneJson } from '../../api/lossless-json.js'

type Obj = Record<string, unknown>

/** The top level of a WorkflowExecution, as the CRD declares it. */
const ROOT: Readonly<Record<string, SchemaNode | 'metadata' | 'scalar'>> = {
  apiVersion: 'scalar',
  kind: 'scalar',
  metadata: 'metadata',
  spec: SPEC_SCHEMA,
  status: STATUS_SCHEMA,
}

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
      if (isRecord(meta)) for (const k of Object.keys(meta)) if (meta[k] === null) delete meta[k]
    } else if (node !== 'scalar') {
      prune(copy[key], node, key, unknown)
    }
  }
  return { object: copy, unknown }
}

/** The apiserver's warning for a pruned field (fieldValidation=Warn, kubectl's default). */
export function unknownFieldWarning(path: string): string {
  return `unknown field "${path}"`
}
