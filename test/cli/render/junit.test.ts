import t from 'tap'
import { XMLParser } from 'fast-xml-parser'
import { runCheckCommand, fx } from '../check-run.js'
import { xml } from '../../../src/cli/render/junit.js'

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'testsuite' || name === 'testcase',
})

t.test(
  "JUnit: one testsuite per file, one testcase per object at its failing field's line, a failure per denial, skipped documents counted as skipped",
  async (t) => {
    const r = await runCheckCommand([fx('multi-doc.yaml'), fx('list.yaml'), '-o', 'junit'])
    t.equal(r.code, 1)
    t.match(r.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/)
    const doc = parser.parse(r.stdout)
    t.match(doc.testsuites, { name: 'wfe-admission check', tests: '6', failures: '2', errors: '0', skipped: '1' })
    const suites = doc.testsuites.testsuite
    t.same(
      suites.map((s: any) => [s.name, s.tests, s.failures, s.skipped]),
      [
        ['test/fixtures/manifests/multi-doc.yaml', '3', '1', '0'],
        ['test/fixtures/manifests/list.yaml', '3', '1', '1'],
      ],
    )
    const cases = suites.flatMap((s: any) => s.testcase)
    t.same(
      cases.map((c: any) => c.name),
      [
        'team-a/wfe-one (CREATE)',
        'team-a/wfe-bad-confidence (CREATE)',
        'team-a/wfe-no-timeout (CREATE)',
        'team-a/wfe-listed-ok (CREATE)',
        'team-a/wfe-listed-bad (CREATE)',
        'v1 ConfigMap (line 5)',
      ],
    )
    t.same(
      cases.map((c: any) => c.line),
      ['3', '41', '46', '11', '44', '5'],
      "a denied object at its field's line",
    )
    t.match(cases[5].skipped, { message: 'not a kubernaut.ai/v1alpha1 WorkflowExecution: v1 ConfigMap' })
    const failed = cases.filter((c: any) => c.failure !== undefined)
    t.equal(failed.length, 2)
    t.match(failed[0].failure, { type: 'denied', message: 'spec.confidence: Invalid value: 1.5: must be between 0 and 1 inclusive' })
    t.match(failed[0].failure['#text'], /^test\/fixtures\/manifests\/multi-doc\.yaml:41:3: spec\.confidence: Invalid value/)
    t.match(cases[2]['system-out'], /warning: spec\.executionConfig\.timeout: defaulted/)
  },
)

t.test('--warnings-as-errors: warnings are failures too', async (t) => {
  const r = await runCheckCommand([fx('multi-doc.yaml'), '-o', 'junit', '--warnings-as-errors'])
  const doc = parser.parse(r.stdout)
  t.equal(doc.testsuites.failures, '2')
  t.match(doc.testsuites.testsuite[0].testcase[2].failure, { type: 'warning' })
})

t.test('text is escaped for XML, control characters replaced', async (t) => {
  t.equal(xml(`a<b>&"c'\u0001`), 'a&lt;b&gt;&amp;&quot;c&apos;\uFFFD')
})
