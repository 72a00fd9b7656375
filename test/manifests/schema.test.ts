// Offline schema check: every field in the built manifests must exist, with the right JSON type, in
// the Kubernetes API types that @kubernetes/client-node generates from the OpenAPI spec. Catches a
// misspelt or misplaced field (which the apiserver would drop or reject) without a cluster.
import t from 'tap'
import * as k8s from '@kubernetes/client-node'
import { kustomize } from './kustomize.js'

interface Attribute { baseName: string; type: string }
const models = k8s as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>

const KINDS: Record<string, string> = {
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
}

/** Problems found walking `value` as the generated type named `type`. */
function typeErrors(type: string, value: unknown, path: string): string[] {
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

t.test('the checker itself flags unknown fields and wrong types', async (t) => {
  t.same(typeErrors('V1Deployment', { spec: { replicas: 3, template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 1 }] }] } } } }, 'ok'), [])
  t.same(typeErrors('V1Deployment', { spec: { replica: 3 } }, 'd'), ['d.spec.replica: no such field in V1DeploymentSpec'])
  t.same(typeErrors('V1Service', { spec: { ports: [{ port: '443' }] } }, 's'), ['s.spec.ports[0].port: expected number, got "443"'])
})

for (const dir of ['manifests', 'manifests/overlays/cert-manager', 'manifests/overlays/with-monitoring']) {
  t.test(`${dir}: every Kubernetes object matches its API type`, async (t) => {
    const objects = await kustomize(dir)
    for (const o of objects) {
      const type = KINDS[o.kind]
      if (type === undefined) {
        t.ok(!o.apiVersion.includes('k8s.io') && o.apiVersion !== 'v1' && !o.apiVersion.startsWith('apps/'), `${o.kind} is a custom resource, not an unchecked built-in`)
        continue
      }
      t.same(typeErrors(type, o, `${o.kind}/${o.metadata.name}`), [], `${o.kind}/${o.metadata.name}`)
    }
  })
}
