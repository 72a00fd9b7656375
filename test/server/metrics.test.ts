import t, { type Test } from 'tap'
import { pino } from 'pino'
import { createMetrics, LATENCY_BUCKETS } from '../../src/server/metrics.js'
import { buildProbeApp, createReadiness } from '../../src/server/health.js'

async function scrape(t: Test, m: ReturnType<typeof createMetrics>): Promise<string> {
  const app = buildProbeApp({ readiness: createReadiness(), metrics: m, logger: pino({ level: 'silent' }) })
  const res = await app.inject({ url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  return res.body
}

t.test('series exist from the start, with the pre-created labels', async (t) => {
  const m = createMetrics()
  m.webhook('/validate-workflowexecution')
  m.knownRules([
    { id: 'spec-immutable', severity: 'deny' },
    { id: 'parameter-name-case', severity: 'warn' },
  ])
  const text = await scrape(t, m)
  for (const line of [
    'controller_runtime_webhook_requests_total{webhook="/validate-workflowexecution",code="200"} 0',
    'controller_runtime_webhook_requests_total{webhook="/validate-workflowexecution",code="500"} 0',
    'controller_runtime_webhook_requests_in_flight{webhook="/validate-workflowexecution"} 0',
    'wfe_admission_decisions_total{webhook="/validate-workflowexecution",operation="CREATE",subresource="",decision="allowed",dry_run="false"} 0',
    'wfe_admission_decisions_total{webhook="/validate-workflowexecution",operation="UPDATE",subresource="status",decision="denied",dry_run="false"} 0',
    'wfe_admission_rule_violations_total{rule="spec-immutable",severity="deny"} 0',
    'wfe_admission_rule_violations_total{rule="parameter-name-case",severity="warn"} 0',
    'wfe_admission_tls_reloads_total{result="success"} 0',
    'wfe_admission_tls_reloads_total{result="error"} 0',
    'wfe_admission_audit_events_total{result="success"} 0',
    'wfe_admission_audit_events_total{result="error"} 0',
  ])
    t.ok(text.includes(line), line)
  t.match(text, /^process_cpu_user_seconds_total \d/m, 'Node default process metrics')
  t.match(text, /^nodejs_heap_size_used_bytes \d/m)
  t.match(text, /^wfe_admission_tls_cert_not_after_seconds 0$/m, '0 (an alert on "expires soon" fires) until a certificate is tracked')
})

t.test('webhook instruments count, time, track in-flight and decisions', async (t) => {
  const m = createMetrics({ defaultMetrics: false })
  const w = m.webhook('/mutate-workflowexecution')
  w.requestStarted()
  w.requestStarted()
  w.requestEnded()
  w.observe(200, 0.0003)
  w.observe(413, 2)
  w.decision('UPDATE', 'status', 'allowed', true)
  m.ruleViolation('target-resource-format', 'deny')
  m.tlsHooks.reload?.('error')
  m.effectHooks.event?.('success')
  m.trackCertificate(() => new Date('2030-01-01T00:00:00Z'))
  const text = await scrape(t, m)
  t.ok(text.includes('controller_runtime_webhook_requests_in_flight{webhook="/mutate-workflowexecution"} 1'))
  t.ok(text.includes('controller_runtime_webhook_requests_total{webhook="/mutate-workflowexecution",code="200"} 1'))
  t.ok(text.includes('controller_runtime_webhook_requests_total{webhook="/mutate-workflowexecution",code="413"} 1'))
  t.ok(text.includes('controller_runtime_webhook_latency_seconds_bucket{le="0.0005",webhook="/mutate-workflowexecution"} 1'))
  t.ok(text.includes('controller_runtime_webhook_latency_seconds_bucket{le="2.5",webhook="/mutate-workflowexecution"} 2'))
  t.ok(text.includes('controller_runtime_webhook_latency_seconds_count{webhook="/mutate-workflowexecution"} 2'))
  t.ok(
    text.includes(
      'wfe_admission_decisions_total{webhook="/mutate-workflowexecution",operation="UPDATE",subresource="status",decision="allowed",dry_run="true"} 1',
    ),
  )
  t.ok(text.includes('wfe_admission_rule_violations_total{rule="target-resource-format",severity="deny"} 1'))
  t.ok(text.includes('wfe_admission_tls_reloads_total{result="error"} 1'))
  t.ok(text.includes('wfe_admission_audit_events_total{result="success"} 1'))
  t.ok(text.includes('wfe_admission_tls_cert_not_after_seconds 1893456000'))
  t.notMatch(text, /^process_cpu/m, 'default metrics can be turned off')
})

t.test('latency buckets run from 0.5 ms to 10 s', async (t) => {
  t.equal(LATENCY_BUCKETS[0], 0.0005)
  t.equal(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1], 10)
  t.same(
    [...LATENCY_BUCKETS].sort((a, b) => a - b),
    LATENCY_BUCKETS,
    'ascending',
  )
})

t.test('two registries in one process do not collide', async (t) => {
  const a = createMetrics()
  const b = createMetrics()
  a.webhook('/x').observe(200, 0.001)
  t.ok((await a.registry.metrics()).includes('controller_runtime_webhook_requests_total{webhook="/x",code="200"} 1'))
  t.notOk((await b.registry.metrics()).includes('webhook="/x"'))
})

t.test('children bound once still count each label set apart (severity, dry run, decision)', async (t) => {
  const m = createMetrics({ defaultMetrics: false })
  const w = m.webhook('/validate-workflowexecution')
  m.knownRules([{ id: 'schema-status', severity: 'deny' }])
  for (let i = 0; i < 3; i++) m.ruleViolation('schema-status', 'deny')
  m.ruleViolation('schema-status', 'warn')
  w.decision('UPDATE', 'status', 'allowed', false)
  w.decision('UPDATE', 'status', 'allowed', false)
  w.decision('UPDATE', 'status', 'allowed', true)
  w.decision('UPDATE', 'status', 'denied', false)
  w.observe(200, 0.001)
  w.observe(200, 0.001)
  w.observe(500, 0.001)
  const text = await scrape(t, m)
  const has = (line: string): void => {
    t.ok(text.includes(line), line)
  }
  has('wfe_admission_rule_violations_total{rule="schema-status",severity="deny"} 3')
  has('wfe_admission_rule_violations_total{rule="schema-status",severity="warn"} 1')
  has(
    'wfe_admission_decisions_total{webhook="/validate-workflowexecution",operation="UPDATE",subresource="status",decision="allowed",dry_run="false"} 2',
  )
  has(
    'wfe_admission_decisions_total{webhook="/validate-workflowexecution",operation="UPDATE",subresource="status",decision="allowed",dry_run="true"} 1',
  )
  has(
    'wfe_admission_decisions_total{webhook="/validate-workflowexecution",operation="UPDATE",subresource="status",decision="denied",dry_run="false"} 1',
  )
  has('controller_runtime_webhook_requests_total{webhook="/validate-workflowexecution",code="200"} 2')
  has('controller_runtime_webhook_requests_total{webhook="/validate-workflowexecution",code="500"} 1')
})

t.test('the review-body budget gauges read the budget at scrape time', async (t) => {
  const m = createMetrics({ defaultMetrics: false })
  t.match(await scrape(t, m), /^wfe_admission_review_bytes_budget 0$/m, 'zero before the server tracks a budget')
  const budget = { inFlight: 5, waiting: 1, capacity: 10 }
  m.trackBodyBudget(budget)
  const body = await scrape(t, m)
  t.match(body, /^wfe_admission_review_bytes_in_flight 5$/m)
  t.match(body, /^wfe_admission_review_bytes_budget 10$/m)
  t.match(body, /^wfe_admission_reviews_waiting_for_memory 1$/m)
})
