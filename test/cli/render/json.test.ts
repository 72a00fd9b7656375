import t from 'tap'
import { runCheckCommand, fx } from '../check-run.js'

t.test('JSON: one document with tool, summary, every result with its findings, the skipped documents and the rules', async (t) => {
  const r = await runCheckCommand([fx('multi-doc.yaml'), fx('mixed-kinds.yaml'), '-o', 'json', '--print-mutated'])
  t.equal(r.code, 1)
  const report = JSON.parse(r.stderr)
  t.match(report.tool, { name: 'wfe-admission' })
  t.same(report.summary, { objects: 5, allowed: 3, denied: 2, warnings: 1, skipped: 2 })
  t.match(report.results[1], {
    source: { file: 'test/fixtures/manifests/multi-doc.yaml', line: 25 },
    namespace: 'team-a',
    name: 'wfe-bad-confidence',
    operation: 'CREATE',
    subresource: '',
    allowed: false,
    findings: [
      {
        ruleId: 'confidence-range',
        severity: 'deny',
        field: 'spec.confidence',
        message: 'spec.confidence: Invalid value: 1.5: must be between 0 and 1 inclusive',
        location: { line: 41, column: 3 },
      },
    ],
  })
  t.notOk('admitted' in report.results[0], 'mutated objects go to --print-mutated, not into the report')
  t.equal(report.skipped.length, 2)
  t.ok(report.rules.length > 5)
  t.match(report.notes, [/^target blocks were not evaluated \(no --cluster-state\)/], 'the note rides inside the report that holds stderr')
})

t.test('an empty run is still one JSON document, and exit 2 unless --allow-empty', async (t) => {
  const dir = t.testdir({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' })
  const r = await runCheckCommand([dir, '-o', 'json'])
  t.equal(r.code, 2)
  t.same(JSON.parse(r.stdout).results, [])
  t.match(
    r.stderr,
    /^wfe-admission check: no WorkflowExecution to check in .* \(1 document, none of them a kubernaut\.ai\/v1alpha1 WorkflowExecution\); pass --allow-empty if that is expected\n$/,
  )
  const allowed = await runCheckCommand([dir, '-o', 'json', '--allow-empty'])
  t.equal(allowed.code, 0)
  t.equal(allowed.stderr, '')
})
