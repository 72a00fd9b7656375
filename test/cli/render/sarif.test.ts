import t from 'tap'
import { runCheckCommand, fx } from '../check-run.js'
import { artifactUri, SARIF_SCHEMA } from '../../../src/cli/render/sarif.js'

t.test('SARIF 2.1.0: required fields, one rule per id with its description, results at the line and column of the field', async (t) => {
  const r = await runCheckCommand([fx('multi-doc.yaml'), fx('list.yaml'), '-o', 'sarif', '--policy', 'examples/policy.yaml'])
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
  for (const id of ['spec-immutable', 'confidence-range', 'execution-timeout-default', 'approved-bundle-registry', 'request-invalid'])
    t.ok(ids.includes(id), id)
  t.equal(
    driver.rules.find((x: any) => x.id === 'approved-bundle-registry').shortDescription.text,
    'executionBundle must come from an approved OCI registry',
  )
  const results = log.runs[0].results
  t.same(
    results.map((x: any) => [
      x.ruleId,
      x.level,
      x.locations[0].physicalLocation.artifactLocation.uri,
      x.locations[0].physicalLocation.region,
    ]),
    [
      ['confidence-range', 'error', 'test/fixtures/manifests/multi-doc.yaml', { startLine: 41, startColumn: 3 }],
      ['execution-timeout-default', 'warning', 'test/fixtures/manifests/multi-doc.yaml', { startLine: 51, startColumn: 1 }],
      ['target-resource-format', 'error', 'test/fixtures/manifests/list.yaml', { startLine: 44, startColumn: 7 }],
    ],
  )
  for (const x of results) {
    t.equal(typeof x.message.text, 'string')
    t.equal(driver.rules[x.ruleIndex].id, x.ruleId, 'ruleIndex points at the rule')
    t.match(x.partialFingerprints['wfeFinding/v1'], /^[0-9a-f]{32}$/)
  }
  t.match(results[0].message.text, /^team-a\/wfe-bad-confidence: spec\.confidence: Invalid value: 1\.5/)
})

t.test('an all-clean run is a valid log with no results', async (t) => {
  const r = await runCheckCommand([fx('tree'), '-o', 'sarif'])
  t.equal(r.code, 0)
  t.same(JSON.parse(r.stdout).runs[0].results, [])
})

t.test('artifact URIs: relative paths percent-encoded per segment, absolute ones as file URLs', async (t) => {
  t.equal(artifactUri('deploy/my wfe.yaml'), 'deploy/my%20wfe.yaml')
  t.equal(artifactUri('<stdin>'), 'stdin', 'readable, not %3Cstdin%3E')
  t.equal(artifactUri('/tmp/a b.yaml'), 'file:///tmp/a%20b.yaml')
})

t.test('SARIF from stdin: a readable URI described as standard input', async (t) => {
  const { readFileSync } = await import('node:fs')
  const r = await runCheckCommand(['-', '-o', 'sarif'], { stdin: readFileSync(fx('multi-doc.yaml'), 'utf8') })
  t.equal(r.code, 1)
  const loc = JSON.parse(r.stdout).runs[0].results[0].locations[0].physicalLocation
  t.same(loc, { artifactLocation: { uri: 'stdin', description: { text: 'standard input' } }, region: { startLine: 41, startColumn: 3 } })
})
