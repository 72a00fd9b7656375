// Offline schema check: every field in the built manifests must exist, with the right JSON type, in
// the Kubernetes API types that @kubernetes/client-node generates from the OpenAPI spec. Catches a
// misspelt or misplaced field (which the apiserver would drop or reject) without a cluster.
import t from 'tap'
import { KINDS, typeErrors } from '../helpers/k8s-types.js'
import { kustomize } from './kustomize.js'

t.test('the checker itself flags unknown fields and wrong types', async (t) => {
  t.same(
    typeErrors(
      'V1Deployment',
      { spec: { replicas: 3, template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 1 }] }] } } } },
      'ok',
    ),
    [],
  )
  t.same(typeErrors('V1Deployment', { spec: { replica: 3 } }, 'd'), ['d.spec.replica: no such field in V1DeploymentSpec'])
  t.same(typeErrors('V1Service', { spec: { ports: [{ port: '443' }] } }, 's'), ['s.spec.ports[0].port: expected number, got "443"'])
})

for (const dir of ['manifests', 'manifests/overlays/cert-manager', 'manifests/overlays/with-monitoring']) {
  t.test(`${dir}: every Kubernetes object matches its API type`, async (t) => {
    const objects = await kustomize(dir)
    for (const o of objects) {
      const type = KINDS[o.kind]
      if (type === undefined) {
        t.ok(
          !o.apiVersion.includes('k8s.io') && o.apiVersion !== 'v1' && !o.apiVersion.startsWith('apps/'),
          `${o.kind} is a custom resource, not an unchecked built-in`,
        )
        continue
      }
      t.same(typeErrors(type, o, `${o.kind}/${o.metadata.name}`), [], `${o.kind}/${o.metadata.name}`)
    }
  })
}
