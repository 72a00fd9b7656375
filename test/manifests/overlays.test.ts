// The overlays: cert-manager (Issuer chain, serving Certificate, CA injection) and with-monitoring
// (ServiceMonitor and PrometheusRule). Alert expressions are checked against the metrics the server
// really registers, so renaming a metric breaks this test instead of silencing an alert.
import t from 'tap'
import { createMetrics } from '../../src/server/metrics.js'
import { kustomize, one, type K8sObject } from './kustomize.js'

const NS = 'kubernaut-system'
const [base, certManager, monitoring] = await Promise.all([
  kustomize('manifests'),
  kustomize('manifests/overlays/cert-manager'),
  kustomize('manifests/overlays/with-monitoring'),
])
const key = (o: K8sObject): string => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`

t.test('cert-manager overlay: a CA issuer chain issues the serving Secret the pods mount', async (t) => {
  const serving = one(certManager, 'Certificate', 'wfe-admission-serving')
  t.equal(serving.apiVersion, 'cert-manager.io/v1')
  t.equal(serving.metadata.namespace, NS)
  const deployment = one(certManager, 'Deployment', 'wfe-admission')
  const secretNames = deployment.spec.template.spec.volumes.map((v: { secret?: { secretName: string } }) => v.secret?.secretName)
  t.equal(serving.spec.secretName, 'wfe-admission-tls')
  t.ok(secretNames.includes(serving.spec.secretName), "the Deployment mounts the Certificate's Secret")
  t.same([...serving.spec.dnsNames].sort(), [
    'wfe-admission',
    'wfe-admission.kubernaut-system',
    'wfe-admission.kubernaut-system.svc',
    'wfe-admission.kubernaut-system.svc.cluster.local',
  ])
  t.ok(serving.spec.usages.includes('server auth'))

  const hours = (d: string): number => Number(/^(\d+)h$/.exec(d)?.[1])
  t.ok(hours(serving.spec.renewBefore) < hours(serving.spec.duration), 'renewBefore shorter than duration')
  t.ok(hours(serving.spec.renewBefore) > 30 * 24, 'renewal happens before the 30-day expiry alert can fire')

  const caIssuer = one(certManager, 'Issuer', serving.spec.issuerRef.name)
  const ca = one(certManager, 'Certificate', 'wfe-admission-ca')
  t.equal(caIssuer.spec.ca.secretName, ca.spec.secretName, 'the serving issuer signs with the CA Certificate')
  t.equal(ca.spec.isCA, true)
  t.ok(one(certManager, 'Issuer', ca.spec.issuerRef.name).spec.selfSigned, 'the CA is self-signed')
})

t.test('cert-manager overlay: both webhook configurations get their CA from cainjector', async (t) => {
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    const config = one(certManager, kind, 'wfe-admission.kubernaut.ai')
    t.equal(config.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${NS}/wfe-admission-serving`, kind)
    for (const h of config.webhooks) t.notOk('caBundle' in h.clientConfig, `${kind} ${String(h.name)}: no caBundle for a re-apply to reset`)
  }
})

t.test('cert-manager overlay changes nothing else in the base', async (t) => {
  const strip = (o: K8sObject): string => {
    const copy = structuredClone(o)
    if (copy.kind.endsWith('WebhookConfiguration')) {
      delete copy.metadata.annotations
      for (const h of copy.webhooks) delete h.clientConfig.caBundle
    }
    return JSON.stringify(copy)
  }
  const overlay = new Map(certManager.map((o) => [key(o), strip(o)]))
  for (const o of base) t.equal(overlay.get(key(o)), strip(o), key(o))
  const extra = certManager
    .filter((o) => !base.some((b) => key(b) === key(o)))
    .map((o) => o.kind)
    .sort()
  t.same(extra, ['Certificate', 'Certificate', 'Issuer', 'Issuer'])
})

t.test('with-monitoring: the base plus a ServiceMonitor scraping the metrics port', async (t) => {
  t.equal(monitoring.length, base.length + 2)
  const sm = one(monitoring, 'ServiceMonitor', 'wfe-admission')
  const svc = one(monitoring, 'Service', 'wfe-admission')
  t.equal(sm.apiVersion, 'monitoring.coreos.com/v1')
  t.match(svc.metadata.labels, sm.spec.selector.matchLabels)
  t.same(sm.spec.namespaceSelector.matchNames, [NS])
  const port = sm.spec.endpoints[0]
  t.equal(port.path, '/metrics')
  t.ok(
    svc.spec.ports.some((p: { name: string; targetPort: string }) => p.name === port.port && p.targetPort === 'probes'),
    'scrapes the probe/metrics port by name',
  )
})

const rule = one(monitoring, 'PrometheusRule', 'wfe-admission')
const alerts: { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }[] =
  rule.spec.groups.flatMap((g: { rules: unknown[] }) => g.rules)

t.test('PrometheusRule: one alert per failure the issue names, each saying what to do', async (t) => {
  t.equal(rule.apiVersion, 'monitoring.coreos.com/v1')
  const find = (pattern: RegExp): typeof alerts => alerts.filter((a) => pattern.test(a.expr))
  const certs = find(/wfe_admission_tls_cert_not_after_seconds/)
  t.ok(
    certs.some((a) => /< 30 \* 24 \* 3600/.test(a.expr)),
    'expiry within 30 days',
  )
  const errors = find(/controller_runtime_webhook_requests_total\{[^}]*code=~"5\.\."/)
  t.ok(
    errors.some((a) => (a.expr.match(/> 0\.01\s*\)/g) ?? []).length === 2 && a.for === '5m'),
    'error ratio above 1 % for 5 minutes',
  )
  t.ok(
    errors.some((a) => /wfe_admission_decisions_total\{[^}]*decision="errored"/.test(a.expr)),
    'errored verdicts inside HTTP 200 answers count as errors too',
  )
  const latency = find(/histogram_quantile\(0\.99,.*controller_runtime_webhook_latency_seconds_bucket/s)
  t.ok(
    latency.some((a) => /> 0\.1\s*$/.test(a.expr)),
    'p99 above 100 ms',
  )
  const down = find(/kube_deployment_status_replicas_available/)
  t.ok(
    down.some((a) => /== 0/.test(a.expr) && /absent\(up\{job="wfe-admission"\} == 1\)/.test(a.expr)),
    'no ready replicas',
  )
  t.ok(find(/wfe_admission_audit_events_total\{[^}]*result="error"/).length === 1, 'audit Event write failures')
  t.ok(
    find(/apiserver_request_total\{[^}]*resource="workflowexecutions"[\s\S]*unless[\s\S]*controller_runtime_webhook_requests_total/)
      .length === 1,
    'writes stored without the webhook being called (configurations deleted or narrowed)',
  )
  for (const a of alerts) {
    t.ok(['warning', 'critical'].includes(a.labels.severity ?? ''), `${a.alert}: severity`)
    t.ok((a.annotations.summary ?? '').length > 10, `${a.alert}: summary`)
    t.ok(/`[^`]+`/.test(a.annotations.description ?? ''), `${a.alert}: description gives a command to run`)
  }
})

t.test('alerts use only metrics the server registers (or the cluster provides) with their real labels', async (t) => {
  const registry = createMetrics({ defaultMetrics: false }).registry
  const served = new Map(
    registry.getMetricsAsArray().map((m) => [m.name, new Set<string>((m as unknown as { labelNames: string[] }).labelNames)]),
  )
  const external = new Set(['kube_deployment_status_replicas_available', 'up', 'apiserver_request_total'])
  const suffixes = ['_bucket', '_sum', '_count']
  for (const a of alerts) {
    for (const m of a.expr.matchAll(/([a-z_]+)\{([^}]*)\}/g)) {
      const [, metric = '', matchers = ''] = m
      if (external.has(metric)) continue
      const base = suffixes.reduce(
        (name, s) => (name.endsWith(s) && served.has(name.slice(0, -s.length)) ? name.slice(0, -s.length) : name),
        metric,
      )
      const labels = served.get(base)
      t.ok(labels, `${a.alert}: ${metric} is registered by createMetrics()`)
      for (const [, label = ''] of matchers.matchAll(/([a-z_]+)\s*=~?/g)) {
        if (label === 'job') continue
        t.ok(labels?.has(label), `${a.alert}: ${metric} has label ${label}`)
      }
    }
  }
})
