// The server's objects in `kubectl kustomize manifests/`: Deployment, Service, PDB, NetworkPolicy,
// RBAC. Checked against the server's own flag table so a renamed flag or port breaks this test.
import t from 'tap'
import { SERVE_FLAGS as SERVE_FLAGS_TABLE, type FlagSpec } from '../../src/cli/flags.js'
import { kustomize, one } from './kustomize.js'

// Read as rows: these tests look flags up by a name they compute.
const SERVE_FLAGS: readonly FlagSpec[] = SERVE_FLAGS_TABLE

const NS = 'kubernaut-system'
const CERT_DIR = '/tmp/k8s-webhook-server/serving-certs'
const SELECTOR = { 'app.kubernetes.io/name': 'wfe-admission' }

const objects = await kustomize('manifests')
const deployment = one(objects, 'Deployment', 'wfe-admission')
const pod = deployment.spec.template.spec
const container = pod.containers[0]

function flagDefault(name: string): unknown {
  return SERVE_FLAGS.find((f) => f.name === name)?.default
}

t.test('every namespaced object is in kubernaut-system and the namespace is shipped', async (t) => {
  one(objects, 'Namespace', NS)
  const clusterScoped = new Set([
    'Namespace',
    'CustomResourceDefinition',
    'ClusterRole',
    'ClusterRoleBinding',
    'PriorityClass',
    'ValidatingWebhookConfiguration',
    'MutatingWebhookConfiguration',
  ])
  for (const o of objects.filter((o) => !clusterScoped.has(o.kind))) {
    t.equal(o.metadata.namespace, NS, `${o.kind}/${o.metadata.name}`)
  }
})

t.test("labels select exactly the server's objects, never the shared namespace", async (t) => {
  for (const o of objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'CustomResourceDefinition')) {
    t.equal(o.metadata.labels?.['app.kubernetes.io/name'], 'wfe-admission', `${o.kind}/${o.metadata.name}`)
  }
  t.notOk(
    one(objects, 'Namespace', NS).metadata.labels?.['app.kubernetes.io/name'],
    'kubectl delete -l app.kubernetes.io/name=wfe-admission leaves kubernaut-system alone',
  )
})

t.test('the CRD from manifests/crd is part of the base', async (t) => {
  const crd = one(objects, 'CustomResourceDefinition')
  t.equal(crd.spec.group, 'kubernaut.ai')
  t.equal(crd.spec.names.plural, 'workflowexecutions')
  t.ok(crd.spec.versions.some((v: { name: string }) => v.name === 'v1alpha1'))
})

t.test('deployment: three replicas rolling one at a time, spread across nodes', async (t) => {
  t.equal(deployment.spec.replicas, 3)
  t.same(deployment.spec.selector.matchLabels, SELECTOR)
  t.match(deployment.spec.template.metadata.labels, SELECTOR)
  t.same(deployment.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } })
  const spread = pod.topologySpreadConstraints.find((c: { topologyKey: string }) => c.topologyKey === 'kubernetes.io/hostname')
  t.ok(spread, 'spread across kubernetes.io/hostname')
  t.same(spread.labelSelector.matchLabels, SELECTOR)
  t.equal(spread.maxSkew, 1)
  const anti = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm
  t.equal(anti.topologyKey, 'kubernetes.io/hostname')
  t.same(anti.labelSelector.matchLabels, SELECTOR)
  const pc = one(objects, 'PriorityClass', pod.priorityClassName)
  t.ok(pc.value >= 1_000_000, 'the priority class outranks ordinary workloads')
  t.equal(pc.globalDefault, false)
  t.equal(pod.serviceAccountName, one(objects, 'ServiceAccount').metadata.name)
})

t.test('container args are serve flags the CLI knows, with the controller-runtime cert dir', async (t) => {
  const args: string[] = container.args
  t.notOk(args.includes('serve'), 'the image ENTRYPOINT already says serve')
  const known = new Set(SERVE_FLAGS.map((f) => f.name))
  const given = new Map<string, string>()
  for (let i = 0; i < args.length; i += 2) {
    const flag = String(args[i])
    t.ok(flag.startsWith('--') && known.has(flag.slice(2)), `${flag} is a serve flag`)
    given.set(flag.slice(2), String(args[i + 1]))
  }
  t.equal(given.get('cert-dir'), CERT_DIR)
  t.equal(given.get('port'), '9443')
  t.equal(given.get('probe-port'), '8081')
  t.equal(flagDefault('port'), 9443)
  t.equal(flagDefault('probe-port'), 8081)
})

t.test('ports, probes and the serving-cert Secret', async (t) => {
  const ports = Object.fromEntries(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]))
  t.same(ports, { webhook: 9443, probes: 8081 })
  t.match(container.livenessProbe, { httpGet: { path: '/healthz', port: 'probes' } })
  t.match(container.readinessProbe, { httpGet: { path: '/readyz', port: 'probes' } })
  t.match(container.startupProbe, { httpGet: { port: 'probes' } })
  t.ok(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold >= 10, 'startup gets time before liveness counts')

  const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === CERT_DIR)
  t.ok(mount, 'serving certs mounted at the cert dir')
  t.equal(mount.readOnly, true)
  t.notOk('subPath' in mount, 'a subPath mount would never see the rotated Secret')
  const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name)
  t.equal(volume.secret.secretName, 'wfe-admission-tls')
  const tmp = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp')
  t.ok(pod.volumes.find((v: { name: string }) => v.name === tmp?.name)?.emptyDir, '/tmp is a writable emptyDir')

  const env = Object.fromEntries(
    container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]),
  )
  t.same(env.POD_NAMESPACE, { fieldRef: { fieldPath: 'metadata.namespace' } })
  const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(String(env.NODE_OPTIONS))?.[1])
  const limitMiB = Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)?.[1])
  t.ok(heapMiB > 0 && heapMiB < limitMiB, `heap cap ${heapMiB}Mi below the ${limitMiB}Mi limit`)
  t.ok(container.resources.requests.cpu && container.resources.requests.memory, 'requests set')
})

t.test('grace period covers the drain delay plus the shutdown timeout', async (t) => {
  const seconds = (v: unknown): number => Number(/^(\d+)s$/.exec(String(v))?.[1])
  const needed = seconds(flagDefault('drain-delay')) + seconds(flagDefault('shutdown-timeout'))
  t.equal(needed, 25)
  t.ok(pod.terminationGracePeriodSeconds > needed, `${pod.terminationGracePeriodSeconds}s > ${needed}s`)
})

t.test('runs unprivileged with a read-only root filesystem', async (t) => {
  t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } })
  t.match(container.securityContext, {
    runAsNonRoot: true,
    runAsUser: 65532,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  })
  t.notOk(container.securityContext.capabilities.add, 'no capability added back')
})

t.test('service: 443 to the webhook port, plus the metrics port', async (t) => {
  const svc = one(objects, 'Service', 'wfe-admission')
  t.same(svc.spec.selector, SELECTOR)
  const ports = Object.fromEntries(
    svc.spec.ports.map((p: { name: string; port: number; targetPort: string }) => [p.name, [p.port, p.targetPort]]),
  )
  t.same(ports, { webhook: [443, 'webhook'], metrics: [8081, 'probes'] })
})

t.test('PDB keeps two of three replicas through voluntary disruptions', async (t) => {
  const pdb = one(objects, 'PodDisruptionBudget')
  t.equal(pdb.spec.minAvailable, 2)
  t.same(pdb.spec.selector.matchLabels, SELECTOR)
  t.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'a node drain can still evict one')
})

t.test('NetworkPolicy admits only the webhook and probe ports', async (t) => {
  const np = one(objects, 'NetworkPolicy')
  t.same(np.spec.podSelector.matchLabels, SELECTOR)
  t.same(np.spec.policyTypes, ['Ingress'])
  const ports = np.spec.ingress.flatMap((rule: { ports: { port: number; protocol: string }[] }) =>
    rule.ports.map((p) => `${p.protocol}/${p.port}`),
  )
  t.same(ports.sort(), ['TCP/8081', 'TCP/9443'])
})

t.test(
  'RBAC: Events (create), Namespaces (get), WorkflowExecutions read-only cluster-wide; Lease and markers in its own namespace only',
  async (t) => {
    const cluster = one(objects, 'ClusterRole')
    t.same(
      cluster.rules,
      [
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
        { apiGroups: ['kubernaut.ai'], resources: ['workflowexecutions'], verbs: ['get', 'list', 'watch'] },
      ],
      'the recorder (src/audit/): no patch, update or delete of anything it audits; Event names are generated',
    )
    const binding = one(objects, 'ClusterRoleBinding')
    t.same(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: cluster.metadata.name })
    t.same(binding.subjects, [{ kind: 'ServiceAccount', name: 'wfe-admission', namespace: NS }])
    const role = one(objects, 'Role')
    t.equal(role.metadata.namespace, NS, "the server's own namespace")
    t.same(role.rules, [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ])
    const rb = one(objects, 'RoleBinding')
    t.equal(rb.metadata.namespace, NS)
    t.same(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name })
    t.same(rb.subjects, [{ kind: 'ServiceAccount', name: 'wfe-admission', namespace: NS }])
  },
)
