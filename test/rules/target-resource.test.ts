import t from 'tap'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { CLUSTER_SCOPED_KINDS, MAX_TARGET_RESOURCE_LENGTH, NAMESPACED_KINDS } from '../../src/rules/target-resource.js'
import { aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { message, triples } from '../helpers/verdict.js'

const policy = testPolicy()
const withTarget = (targetResource: unknown): AdmitResult =>
  admit(
    aRequest({
      object: aWorkflowExecution((w) => {
        ;(w.spec as unknown as Record<string, unknown>).targetResource = targetResource
      }),
    }),
    policy,
    'validate',
  )

const label63 = `a${'b'.repeat(61)}c`
const label64 = `a${'b'.repeat(62)}c`
// 253 = four labels of 63 plus three dots... minus 2: a valid subdomain of exactly 253 characters.
const subdomain253 = [label63, label63, label63, 'x'.repeat(61)].join('.')
const subdomain254 = [label63, label63, label63, 'x'.repeat(62)].join('.')

t.test('boundary fixtures have the lengths they claim', async (t) => {
  t.equal(label63.length, 63)
  t.equal(label64.length, 64)
  t.equal(subdomain253.length, 253)
  t.equal(subdomain254.length, 254)
})

t.test('allowed forms', async (t) => {
  const ok = [
    'payment/Deployment/payment-api',
    'payment/deployment/payment-api',
    'prod/DEPLOYMENT/my-app',
    'prod/StatefulSet/db-0',
    'Node/worker-node-1',
    'node/worker-node-1',
    'PersistentVolume/pvc-1234',
    'kube-system/ConfigMap/coredns',
    'payment/HorizontalPodAutoscaler/payment-api',
    'monitoring/ServiceMonitor/payment-api', // unknown kind, namespaced form
    'ClusterIssuer/letsencrypt', // unknown kind, cluster form
    'ns/Kind2/name.with.dots',
    `${label63}/Deployment/x`,
    `ns/Deployment/${subdomain253}`,
    `Node/${subdomain253}`,
    '0/Pod/0',
  ]
  for (const target of ok) {
    const r = withTarget(target)
    t.same(triples(r), [], target)
    t.equal(r.response.allowed, true, `${target}: allowed`)
  }
})

t.test('malformed values are denied by target-resource-format', async (t) => {
  const bad = [
    'payment//api',
    '',
    '/',
    '//',
    'payment',
    '/Node/x',
    'Node/x/',
    '/payment/Deployment/api',
    'payment/Deployment/api/',
    'a/b/c/d',
    'payment/Deployment/',
    '/Deployment',
    'payment/Deployment//api',
    'Payment/Deployment/api',
    'pay_ment/Deployment/api',
    '-payment/Deployment/api',
    'payment-/Deployment/api',
    'payment/Deploy-ment/api',
    'payment/1Deployment/api',
    'payment/Deploy.ment/api',
    'payment/Déploiement/api',
    'payment/Deployment/Payment-API',
    'payment/Deployment/api_1',
    'payment/Deployment/-api',
    'payment/Deployment/api.',
    'payment/Deployment/a..b',
    'Node/Worker',
    ' payment/Deployment/api',
    'payment /Deployment/api',
    `${label64}/Deployment/x`,
    `ns/Deployment/${subdomain254}`,
    `Node/${subdomain254}`,
  ]
  for (const target of bad) {
    t.same(triples(withTarget(target)), [['target-resource-format', 'spec.targetResource', 'FieldValueInvalid']], JSON.stringify(target))
  }
})

t.test('golden messages say what is wrong', async (t) => {
  t.equal(
    message(withTarget('payment//api')),
    'spec.targetResource: Invalid value: "payment//api": must be namespace/kind/name or kind/name',
  )
  t.equal(message(withTarget('a/b/c/d')), 'spec.targetResource: Invalid value: "a/b/c/d": must be namespace/kind/name or kind/name')
  t.equal(message(withTarget('/Node/x')), 'spec.targetResource: Invalid value: "/Node/x": must be namespace/kind/name or kind/name')
  t.equal(
    message(withTarget('Payment/Deployment/api')),
    'spec.targetResource: Invalid value: "Payment/Deployment/api": must be namespace/kind/name or kind/name: namespace "Payment" must be a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit)',
  )
  t.equal(
    message(withTarget('payment/Deploy-ment/api')),
    'spec.targetResource: Invalid value: "payment/Deploy-ment/api": must be namespace/kind/name or kind/name: kind "Deploy-ment" must be a letter followed by letters or digits',
  )
  t.match(message(withTarget(`${label64}/Deployment/x`)), /: namespace is 64 characters, more than the 63 a DNS-1123 label allows$/)
  t.match(message(withTarget(`Node/${subdomain254}`)), /: name is 254 characters, more than the 253 a DNS-1123 subdomain allows$/)
  t.match(
    message(withTarget('Bad_NS/Deploy-ment/API')),
    /: namespace "Bad_NS" .*; kind "Deploy-ment" [^;]*$/,
    'every bad part is named; a name is judged only under a valid kind',
  )
  t.match(
    message(withTarget('Bad_NS/Deployment/API')),
    /: namespace "Bad_NS" .*; name "API" must be a DNS-1123 subdomain/,
    'every bad part is named',
  )
})

t.test('names are judged by the rules of their kind, as the apiserver does', async (t) => {
  const ok = [
    'ClusterRole/system:aggregate-to-edit', // RBAC names are path segments
    'clusterrole/system:controller:job-controller',
    'kube-system/Role/system:controller:bootstrap-signer',
    'ClusterRoleBinding/system:basic-user',
    'kube-system/RoleBinding/system::extension-apiserver-authentication-reader',
    'ClusterTrustBundle/example.com:mysigner:bundle1',
    'Namespace/payment',
    'payment/Service/payment-api',
    'payment/Widget/Some_Name', // an unknown kind may have its own rules: only a path segment is required
    'Gadget/name:with:colons',
  ]
  for (const target of ok) t.same(triples(withTarget(target)), [], `${target} allowed`)
  const bad: [string, RegExp][] = [
    ['Namespace/pay.ment', /name "pay.ment" must be a DNS-1123 label/],
    [`Namespace/${label64}`, /name is 64 characters, more than the 63 a Namespace name \(DNS-1123 label\) allows/],
    ['payment/Service/1api', /name "1api" must be a DNS-1035 label/],
    ['payment/Service/api.v1', /name "api.v1" must be a DNS-1035 label/],
    ['ClusterRole/..', /name ".." must be a valid path segment/],
    ['ClusterRole/edit%2F', /name "edit%2F" must be a valid path segment/],
    ['payment/Widget/.', /name "." must be a valid path segment/],
    ['payment/Deployment/system:thing', /name "system:thing" must be a DNS-1123 subdomain/],
  ]
  for (const [target, detail] of bad) {
    const r = withTarget(target)
    t.same(triples(r), [['target-resource-format', 'spec.targetResource', 'FieldValueInvalid']], `${target} denied`)
    t.match(message(r), detail, target)
  }
})

t.test('a missing name says the name is missing', async (t) => {
  t.equal(
    message(withTarget('payment/Deployment')),
    'spec.targetResource: Invalid value: "payment/Deployment": must be namespace/kind/name or kind/name: name is missing: "payment/Deployment" reads as namespace/kind; use payment/Deployment/<name>',
  )
  t.equal(
    message(withTarget('payment/Deployment/')),
    'spec.targetResource: Invalid value: "payment/Deployment/": must be namespace/kind/name or kind/name: name is missing after "payment/Deployment/"',
  )
  t.equal(
    message(withTarget('Node/')),
    'spec.targetResource: Invalid value: "Node/": must be namespace/kind/name or kind/name: name is missing after "Node/"',
  )
  // A known kind first is kind/name: a Node called "deployment" is a valid target.
  t.same(triples(withTarget('Node/deployment')), [])
})

t.test('scope: well-known namespaced kinds need the three-part form', async (t) => {
  t.equal(
    message(withTarget('Deployment/payment-api')),
    'spec.targetResource: Invalid value: "Deployment/payment-api": Deployment is namespaced: use namespace/Deployment/payment-api',
  )
  t.equal(
    message(withTarget('deployment/payment-api')),
    'spec.targetResource: Invalid value: "deployment/payment-api": deployment is namespaced: use namespace/deployment/payment-api',
  )
  const kinds = [
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'ReplicaSet',
    'Pod',
    'Service',
    'ConfigMap',
    'Secret',
    'Job',
    'CronJob',
    'PersistentVolumeClaim',
    'Ingress',
    'ServiceAccount',
    'HorizontalPodAutoscaler',
    'Role',
    'RoleBinding',
    'NetworkPolicy',
    'PodDisruptionBudget',
    'Endpoints',
  ]
  for (const kind of [...kinds, ...kinds.map((k) => k.toLowerCase()), ...kinds.map((k) => k.toUpperCase())]) {
    t.same(triples(withTarget(`${kind}/x`)), [['target-resource-scope', 'spec.targetResource', 'FieldValueInvalid']], `${kind}/x denied`)
    t.same(triples(withTarget(`ns/${kind}/x`)), [], `ns/${kind}/x allowed`)
  }
  t.ok(kinds.every((k) => NAMESPACED_KINDS.has(k.toLowerCase())))
})

t.test('scope: well-known cluster-scoped kinds need the two-part form', async (t) => {
  t.equal(
    message(withTarget('default/Node/worker-1')),
    'spec.targetResource: Invalid value: "default/Node/worker-1": Node is cluster-scoped: use Node/worker-1',
  )
  const kinds = [
    'Node',
    'Namespace',
    'PersistentVolume',
    'StorageClass',
    'ClusterRole',
    'ClusterRoleBinding',
    'CustomResourceDefinition',
    'PriorityClass',
  ]
  for (const kind of [...kinds, ...kinds.map((k) => k.toLowerCase())]) {
    t.same(
      triples(withTarget(`default/${kind}/x`)),
      [['target-resource-scope', 'spec.targetResource', 'FieldValueInvalid']],
      `default/${kind}/x denied`,
    )
    t.same(triples(withTarget(`${kind}/x`)), [], `${kind}/x allowed`)
  }
  t.ok(kinds.every((k) => CLUSTER_SCOPED_KINDS.has(k.toLowerCase())))
  for (const k of NAMESPACED_KINDS) t.notOk(CLUSTER_SCOPED_KINDS.has(k), `${k} is in one scope list only`)
})

t.test('a malformed value gets the format error only, not a scope error too', async (t) => {
  t.same(triples(withTarget('Deployment//x')), [['target-resource-format', 'spec.targetResource', 'FieldValueInvalid']])
  t.same(triples(withTarget('Deployment/X')), [['target-resource-format', 'spec.targetResource', 'FieldValueInvalid']])
})

t.test('an absurdly long value is Too long, without echoing it', async (t) => {
  const huge = `ns/Deployment/${'a'.repeat(5000)}`
  const r = withTarget(huge)
  t.same(triples(r), [['target-resource-format', 'spec.targetResource', 'FieldValueTooLong']])
  t.equal(message(r), `spec.targetResource: Too long: may not be more than ${MAX_TARGET_RESOURCE_LENGTH} bytes`)
})

t.test("a non-string value is the schema's to report", async (t) => {
  t.same(triples(withTarget(5)), [['schema-spec', 'spec.targetResource', 'FieldValueInvalid']])
  t.same(triples(withTarget(null)), [['schema-spec', 'spec.targetResource', 'FieldValueRequired']])
})

t.test('UPDATE is not re-judged here (spec-immutable owns it)', async (t) => {
  const stored = aWorkflowExecution((w) => {
    w.spec.targetResource = 'Deployment/payment-api'
  })
  const r = admit(aRequest({ operation: 'UPDATE', object: structuredClone(stored), oldObject: stored }), policy, 'validate')
  t.same(triples(r), [])
})
