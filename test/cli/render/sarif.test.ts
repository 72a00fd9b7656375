import t from 'tap'
import { runCheck, fx } from '../check-run.js'
import { artifactUri, SARIF_SCHEMA } from '../../../src/cli/render/sarif.js'

t.test('SARIF 2.1.0: required fields, one rule per id with its description, results at file and line', async (t) => {
  const r = await runCheck([fx('multi-doc.yaml'), fx('list.yaml'), '-o', 'sarif', '--policy', 'examples/policy.yaml'])
  t.equal(r.code, 1)
  const log = JSON.parse(r.stdout)
  t.equal(log.version, '2.1.0')
  t.equal(log.$schema, SARIF_SCHEMA)
  t.equal(log.runs.length, 1)
  const driver = log.runs[0].tool.driver
  t.equal(driver.name, 'wfe-admission')
  t.match(driver.version, /^\d+\.\d+\.\d+/)
  const ids = driver.rules.map((x: any) => x.id)
  t.equal(new Set(ids).size, ids.length, 'one rule per id')
  for (const id of ['spec-immutable', 'confidence-range', 'execution-timeout-default', 'approved-bundle-registry', 'request-invalid']) t.ok(ids.includes(id), id)
  t.equal(driver.rules.find((x: any) => x.id === 'approved-bundle-registry').shortDescription.text, 'executionBundle must come from an approved OCI registry')
  const results = log.runs[0].results
  t.same(results.map((x: any) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine]), [
    ['confidence-range', 'error', 'test/fixtures/manifests/multi-doc.yaml', 25],
    ['execution-timeout-default', 'warning', 'test/fixtures/manifests/multi-doc.yaml', 46],
    ['target-resource-format', 'error', 'test/fixtures/manifests/list.yaml', 31],
  ])
  for (const x of results) {
    t.equal(typeof x.message.text, 'string')
    t.equal(driver.rules[x.ruleIndex].id, x.ruleId, 'ruleIndex points at the rule')
    t.match(x.partialFingerprints['wfeFinding/v1'], /^[0-9a-f]{32}$/)
  }
  t.match(results[0].message.text, /^team-a\/wfe-bad-confidence: spec\.confidence: Invalid value: 1\.5/)
})

t.test('an all-clean run is a valid log with no results', async (t) => {
  const r = await runCheck([fx('tree'), '-o', 'sarif'])
  t.equal(r.code, 0)
  t.same(JSON.parse(r.stdout).runs[0].results, [])
})

t.test('artifact URIs: relative paths percent-encoded per segment, absolute ones as file URLs', async (t) => {
  t.equal(artifactUri('deploy/my wfe.yaml'), 'deploy/my%20wfe.yaml')
  t.equal(artifactUri('<stdin>'), '%3Cstdin%3E')
  t.equal(artifactUri('/tmp/a b.yaml'), 'file:///tmp/a%20b.yaml')
})
