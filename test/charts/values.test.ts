// charts/wfe-admission values: values.schema.json refuses bad ones with the key's path, every
// `serve` flag is a value that reaches the container, and each documented knob changes what renders.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { CORE_FLAGS as CORE_FLAGS_TABLE, SERVE_FLAGS as SERVE_FLAGS_TABLE, type FlagSpec } from '../../src/cli/flags.js'
import { ROOT } from '../helpers/tools.js'
import { CHART, one, refusal, template, type K8sObject } from './helm.js'

// Read as rows: these tests look flags up by a name they compute.
const CORE_FLAGS: readonly FlagSpec[] = CORE_FLAGS_TABLE
const SERVE_FLAGS: readonly FlagSpec[] = SERVE_FLAGS_TABLE

const values = parse(await readFile(join(ROOT, CHART, 'values.yaml'), 'utf8')) as { serve: Record<string, unknown> }
const defaults = await template({ 'tls.mode': 'manual', 'tls.caBundle': 'Zm9v' })
const container = (objects: K8sObject[]): Record<string, any> =>
  one(objects, 'Deployment', 'wfe-admission').spec.template.spec.containers[0]
const env = (objects: K8sObject[]): Record<string, string> =>
  Object.fromEntries(
    container(objects)
      .env.filter((e: { value?: string }) => e.value !== undefined)
      .map((e: { name: string; value: string }) => [e.name, e.value]),
  )
const arg = (objects: K8sObject[], flag: string): string | undefined => {
  const args: string[] = container(objects).args
  const i = args.indexOf(`--${flag}`)
  return i < 0 ? undefined : args[i + 1]
}

t.test('values.schema.json: helm refuses bad values, naming the key', async (t) => {
  const cases: [Record<string, string | number | boolean | null>, RegExp][] = [
    [{ 'tls.mode': 'vault' }, /at '\/tls\/mode': value must be one of 'hook', 'cert-manager', 'manual'/],
    [{ replicas: 'three' }, /at '\/replicas': got string, want integer/],
    [{ replicas: 0 }, /at '\/replicas': minimum: got 0, want 1/],
    [{ replica: 3 }, /additional properties 'replica' not allowed/],
    [{ 'webhooks.failurePolicy': 'Sometimes' }, /at '\/webhooks\/failurePolicy': value must be one of 'Fail', 'Ignore'/],
    [{ 'webhooks.timeoutSeconds': 31 }, /at '\/webhooks\/timeoutSeconds': maximum: got 31, want 30/],
    [{ 'serve.logLevel': 'loud' }, /at '\/serve\/logLevel'/],
    [{ 'serve.defaultTimeout': 'ten minutes' }, /at '\/serve\/defaultTimeout'/],
    [{ 'serve.port': 70000 }, /at '\/serve\/port'/],
    [{ 'tls.hook.days': 1 }, /at '\/tls\/hook\/days'/],
    [{ podAntiAffinity: 'always' }, /at '\/podAntiAffinity'/],
    [{ 'webhooks.url': 'http://127.0.0.1:9443' }, /at '\/webhooks\/url'/],
  ]
  for (const [set, message] of cases) t.match(await refusal(set), message, JSON.stringify(set))
})

// Every flag of `serve` (and the admission core it runs) and where the chart puts it. A new flag
// fails this test until it is mapped here, in values.yaml and in the Deployment template.
const SERVE_VALUES: Record<
  string,
  { value: string; set: string | number | boolean; expect: string; chartDefault?: string } | { notAValue: string }
> = {
  port: { value: 'port', set: 8443, expect: '8443' },
  'probe-port': { value: 'probePort', set: 9090, expect: '9090' },
  // controller-runtime's path, where every webhook platform team looks; the CLI's default suits npm start.
  'cert-dir': { value: 'certDir', set: '/certs', expect: '/certs', chartDefault: '/tmp/k8s-webhook-server/serving-certs' },
  'bind-address': { value: 'bindAddress', set: '::', expect: '::' },
  'drain-delay': { value: 'drainDelay', set: '10s', expect: '10s' },
  'shutdown-timeout': { value: 'shutdownTimeout', set: '30s', expect: '30s' },
  events: { value: 'events', set: false, expect: 'false' },
  'log-level': { value: 'logLevel', set: 'debug', expect: 'debug' },
  'default-timeout': { value: 'defaultTimeout', set: '1h', expect: '1h' },
  'min-clear-reason-words': { value: 'minClearReasonWords', set: 3, expect: '3' },
  'target-blocks': { value: 'targetBlocks', set: 'warn', expect: 'warn' },
  // helm's --set splits on commas unless escaped.
  'pre-execution-backoff': { value: 'preExecutionBackoff', set: '1m\\,1h', expect: '1m,1h' },
  'target-blocks-max-staleness': { value: 'targetBlocksMaxStaleness', set: '10m', expect: '10m' },
  'trusted-controllers': {
    value: 'trustedControllers',
    set: '{system:serviceaccount:a:b,system:serviceaccount:c:d}',
    expect: 'system:serviceaccount:a:b,system:serviceaccount:c:d',
  },
  'client-ca': { value: 'clientCA.secretName', set: 'apiserver-client-ca', expect: '/etc/wfe-admission/client-ca/ca.crt' },
  'client-allowed-names': { value: 'clientAllowedNames', set: '{kube-apiserver,front-proxy}', expect: 'kube-apiserver,front-proxy' },
  policy: { value: 'policies.extra\\.yaml', set: 'rules: []', expect: '/etc/wfe-admission/policies/extra.yaml' },
  'dev-certs': { notAValue: 'a cluster always has its certificates from tls.mode; dev certificates are for npm start' },
  kubeconfig: { notAValue: 'in a pod the server uses the in-cluster configuration' },
  'audit-namespace': { notAValue: "the release namespace, from the pod's POD_NAMESPACE" },
  'leader-elect-lease-duration': { value: 'leaderElectLeaseDuration', set: '30s', expect: '30s' },
  'leader-elect-renew-deadline': { value: 'leaderElectRenewDeadline', set: '20s', expect: '20s' },
  'leader-elect-retry-period': { value: 'leaderElectRetryPeriod', set: '4s', expect: '4s' },
  'audit-admission-grace': { value: 'auditAdmissionGrace', set: '1m', expect: '1m' },
}

t.test('every serve flag is a chart value that reaches the container', async (t) => {
  const flags = [...SERVE_FLAGS, ...CORE_FLAGS].map((f) => f.name).sort()
  t.same(Object.keys(SERVE_VALUES).sort(), flags, "the table covers exactly the CLI's flags")
  for (const flag of [...SERVE_FLAGS, ...CORE_FLAGS]) {
    const m = SERVE_VALUES[flag.name]
    if (m === undefined || 'notAValue' in m) continue
    // A `{a,b}` string is helm's --set list syntax, so those go through --set, not --set-string.
    const list = typeof m.set === 'string' && m.set.startsWith('{')
    const objects = await template(
      { 'tls.mode': 'manual', 'tls.caBundle': 'Zm9v', ...(list ? {} : { [`serve.${m.value}`]: m.set }) },
      list ? ['--set', `serve.${m.value}=${String(m.set)}`] : [],
    )
    const seen = flag.env !== undefined && env(objects)[flag.env] !== undefined ? env(objects)[flag.env] : arg(objects, flag.name)
    t.equal(seen, m.expect, `--${flag.name} from serve.${m.value}`)
    if (flag.default !== undefined && !m.value.includes('.')) {
      const d = values.serve[m.value]
      const expected = m.chartDefault ?? (Array.isArray(flag.default) ? flag.default : String(flag.default))
      t.same(
        Array.isArray(d) ? d : String(d),
        expected,
        `serve.${m.value} defaults to ${m.chartDefault === undefined ? "the CLI's default" : "the chart's stated default"}`,
      )
    }
  }
})

t.test("the Deployment's knobs", async (t) => {
  const d = (objects: K8sObject[]) => one(objects, 'Deployment', 'wfe-admission').spec
  t.equal(d(defaults).replicas, 3)
  t.ok(d(defaults).template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution)
  const hard = await template({
    'tls.caBundle': 'Zm9v',
    'tls.mode': 'manual',
    podAntiAffinity: 'hard',
    replicas: 5,
    nodeOptions: '--max-old-space-size=300',
    'resources.limits.memory': '512Mi',
    'probes.readiness.periodSeconds': 3,
    'priorityClass.create': false,
    'priorityClass.name': 'system-cluster-critical',
  })
  t.ok(d(hard).template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution)
  t.equal(d(hard).replicas, 5)
  t.equal(env(hard)['NODE_OPTIONS'], '--max-old-space-size=300')
  t.equal(container(hard).resources.limits.memory, '512Mi')
  t.equal(container(hard).readinessProbe.periodSeconds, 3)
  t.equal(container(hard).readinessProbe.httpGet.path, '/readyz')
  t.equal(d(hard).template.spec.priorityClassName, 'system-cluster-critical')
  t.same(
    hard.filter((o) => o.kind === 'PriorityClass'),
    [],
  )
  const none = await template({
    'tls.caBundle': 'Zm9v',
    'tls.mode': 'manual',
    podAntiAffinity: 'none',
    'podDisruptionBudget.enabled': false,
    'networkPolicy.enabled': false,
    'rbac.create': false,
  })
  t.notOk(d(none).template.spec.affinity)
  t.same(
    none.filter((o) => ['PodDisruptionBudget', 'NetworkPolicy', 'ClusterRole'].includes(o.kind)),
    [],
  )
  const pdb = await template(
    { 'tls.caBundle': 'Zm9v', 'tls.mode': 'manual', 'podDisruptionBudget.minAvailable': null, 'podDisruptionBudget.maxUnavailable': 1 },
    [],
  )
  t.same(one(pdb, 'PodDisruptionBudget').spec.maxUnavailable, 1)
  t.notOk('minAvailable' in one(pdb, 'PodDisruptionBudget').spec)
})

t.test('webhook settings apply to every entry; the /status condition stays first', async (t) => {
  const objects = await template({
    'tls.mode': 'manual',
    'tls.caBundle': 'Zm9v',
    'webhooks.failurePolicy': 'Ignore',
    'webhooks.timeoutSeconds': 10,
    'webhooks.matchConditions[0].name': 'not-dry-run-ns',
    'webhooks.matchConditions[0].expression': "request.namespace != 'sandbox'",
    'webhooks.namespaceSelector.matchLabels.kubernaut\\.ai/managed': 'true',
  })
  const hooks = objects.filter((o) => o.kind.endsWith('WebhookConfiguration')).flatMap((o) => o.webhooks as Record<string, any>[])
  t.equal(hooks.length, 3)
  for (const h of hooks) {
    t.equal(h.failurePolicy, 'Ignore', h.name)
    t.equal(h.timeoutSeconds, 10, h.name)
    t.same(h.namespaceSelector.matchLabels, { 'kubernaut.ai/managed': 'true' }, h.name)
    t.equal(h.matchConditions.at(-1).name, 'not-dry-run-ns', h.name)
  }
  for (const h of hooks) t.equal(h.clientConfig.service.name, 'wfe-admission', `${h.name}: through the Service by default`)
  const outside = await template({ 'tls.mode': 'manual', 'tls.caBundle': 'Zm9v', 'webhooks.url': 'https://127.0.0.1:9443/' })
  const urls = outside
    .filter((o) => o.kind.endsWith('WebhookConfiguration'))
    .flatMap((o) => (o.webhooks as { clientConfig: Record<string, unknown> }[]).map((w) => w.clientConfig))
  t.same(
    urls.map((c) => [c['url'], 'service' in c]).sort(),
    [
      ['https://127.0.0.1:9443/mutate-workflowexecution', false],
      ['https://127.0.0.1:9443/mutate-workflowexecution', false],
      ['https://127.0.0.1:9443/validate-workflowexecution', false],
    ],
    'webhooks.url replaces the Service',
  )
  const status = hooks.find((h) => h.name === 'mutate-status.workflowexecution.kubernaut.ai')
  t.same(
    status?.matchConditions.map((c: { name: string }) => c.name),
    ['new-block-clearance', 'not-dry-run-ns'],
  )
})

t.test('monitoring toggles, and the image reference', async (t) => {
  t.same(
    defaults.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com')),
    [],
    'off by default: no Prometheus Operator CRDs needed',
  )
  const on = await template({
    'tls.mode': 'manual',
    'tls.caBundle': 'Zm9v',
    'monitoring.serviceMonitor.enabled': true,
    'monitoring.prometheusRule.enabled': true,
    'monitoring.prometheusRule.labels.release': 'kps',
  })
  t.equal(one(on, 'ServiceMonitor').spec.endpoints[0].port, 'metrics')
  const rule = one(on, 'PrometheusRule')
  t.equal(rule.metadata.labels?.['release'], 'kps')
  t.match(JSON.stringify(rule.spec.groups), /\{\{ \$labels\.pod \}\}/, "Prometheus' own templates pass through Helm untouched")
  t.equal(container(defaults).image, 'wfe-admission:0.1.0')
  const pinned = await template({
    'tls.mode': 'manual',
    'tls.caBundle': 'Zm9v',
    'image.repository': 'registry.example/wfe-admission',
    'image.digest': `sha256:${'a'.repeat(64)}`,
  })
  t.equal(container(pinned).image, `registry.example/wfe-admission@sha256:${'a'.repeat(64)}`)
})

t.test("the chart's version is the package's", async (t) => {
  const chart = parse(await readFile(join(ROOT, CHART, 'Chart.yaml'), 'utf8')) as {
    version: string
    appVersion: string
    apiVersion: string
  }
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  t.equal(chart.apiVersion, 'v2')
  t.equal(chart.version, pkg.version)
  t.equal(chart.appVersion, pkg.version)
})
