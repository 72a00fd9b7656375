// Offline API-type check: every field of a manifest must exist, with the right JSON type, in the
// Kubernetes API types that @kubernetes/client-node generates from the OpenAPI spec. Shared by the
// kustomize tests (test/manifests) and the chart tests (test/charts).
import * as k8s from '@kubernetes/client-node'

interface Attribute {
  baseName: string
  type: string
}
const models = k8s as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>

export const KINDS: Record<string, string> = {
  Namespace: 'V1Namespace',
  PriorityClass: 'V1PriorityClass',
  ServiceAccount: 'V1ServiceAccount',
  ClusterRole: 'V1ClusterRole',
  ClusterRoleBinding: 'V1ClusterRoleBinding',
  Deployment: 'V1Deployment',
  Service: 'V1Service',
  PodDisruptionBudget: 'V1PodDisruptionBudget',
  NetworkPolicy: 'V1NetworkPolicy',
  ValidatingWebhookConfiguration: 'V1ValidatingWebhookConfiguration',
  MutatingWebhookConfiguration: 'V1MutatingWebhookConfiguration',
  CustomResourceDefinition: 'V1CustomResourceDefinition',
  Role: 'V1Role',
  RoleBinding: 'V1RoleBinding',
  Job: 'V1Job',
  CronJob: 'V1CronJob',
  ConfigMap: 'V1ConfigMap',
}

/** Problems found walking `value` as the generated type named `type`. */
export function typeErrors(type: string, value: unknown, path: string): string[] {
  if (value === null || value === undefined || type === 'any' || type === 'object') return []
  const array = /^Array<(.+)>$/.exec(type)
  if (array) {
    if (!Array.isArray(value)) return [`${path}: expected a list`]
    return value.flatMap((v, i) => typeErrors(array[1] as string, v, `${path}[${i}]`))
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map`]
    return Object.entries(value).flatMap(([k, v]) => typeErrors(map[1] as string, v, `${path}[${k}]`))
  }
  const primitive: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    Date: (v) => typeof v === 'string',
    number: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
    IntOrString: (v) => typeof v === 'string' || typeof v === 'number',
  }
  const check = primitive[type]
  if (check) return check(value) ? [] : [`${path}: expected ${type}, got ${JSON.stringify(value)}`]
  const attributes = models[type]?.attributeTypeMap
  if (attributes === undefined) return [`${path}: no generated model ${type}`]
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object (${type})`]
  return Object.entries(value).flatMap(([k, v]) => {
    const a = attributes.find((attr) => attr.baseName === k)
    return a === undefined ? [`${path}.${k}: no such field in ${type}`] : typeErrors(a.type, v, `${path}.${k}`)
  })
}
