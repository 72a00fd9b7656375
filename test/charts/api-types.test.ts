// Every object the chart renders, in each tls.mode and with every optional part switched on, has
// only fields the Kubernetes API types define, with the right JSON types.
import t from 'tap'
import { KINDS, typeErrors } from '../helpers/k8s-types.js'
import { template } from './helm.js'

const everythingOn = {
  'monitoring.serviceMonitor.enabled': true,
  'monitoring.prometheusRule.enabled': true,
  'serve.clientCA.secretName': 'apiserver-client-ca',
  'serve.policies.extra\\.yaml': 'rules: []',
  'webhooks.matchConditions[0].name': 'extra',
  'webhooks.matchConditions[0].expression': 'true',
  'nodeSelector.kubernetes\\.io/os': 'linux',
  'imagePullSecrets[0].name': 'registry',
}

for (const [mode, set] of [
  ['hook', { 'tls.mode': 'hook' }],
  ['cert-manager', { 'tls.mode': 'cert-manager' }],
  ['manual', { 'tls.mode': 'manual', 'tls.caBundle': 'Zm9v' }],
] as const) {
  t.test(`tls.mode ${mode}: every built-in object matches its API type`, async (t) => {
    const objects = await template({ ...set, ...everythingOn }, ['--include-crds'])
    for (const o of objects) {
      const type = KINDS[o.kind]
      if (type === undefined) {
        t.ok(
          ['cert-manager.io/v1', 'monitoring.coreos.com/v1'].includes(o.apiVersion),
          `${o.kind} (${o.apiVersion}) is a known custom resource, not an unchecked built-in`,
        )
        continue
      }
      t.same(typeErrors(type, o, `${o.kind}/${o.metadata.name}`), [], `${o.kind}/${o.metadata.name}`)
    }
  })
}
