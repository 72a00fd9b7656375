import t from 'tap'
import { runCheck, fx } from '../check-run.js'
import { escapeData, escapeProperty } from '../../../src/cli/render/github.js'

t.test('GitHub workflow commands: ::error for denials, ::warning for warnings, at file and line', async (t) => {
  const r = await runCheck([fx('multi-doc.yaml'), '-o', 'github'])
  t.equal(r.code, 1)
  t.same(r.stdout.trimEnd().split('\n'), [
    '::error file=test/fixtures/manifests/multi-doc.yaml,line=25,title=wfe-admission confidence-range::team-a/wfe-bad-confidence: spec.confidence: Invalid value: 1.5: must be between 0 and 1 inclusive',
    '::warning file=test/fixtures/manifests/multi-doc.yaml,line=46,title=wfe-admission execution-timeout-default::team-a/wfe-no-timeout: spec.executionConfig.timeout: defaulted to "30m" (no timeout was set)',
    '3 objects checked: 2 allowed, 1 denied, 1 warning',
  ])
  const strict = await runCheck([fx('multi-doc.yaml'), '-o', 'github', '--warnings-as-errors'])
  t.match(strict.stdout, /^::error file=test\/fixtures\/manifests\/multi-doc\.yaml,line=46,/m)
})

t.test('escaping as the runner expects', async (t) => {
  t.equal(escapeData('50%\r\nnext'), '50%25%0D%0Anext')
  t.equal(escapeProperty('a:b,c'), 'a%3Ab%2Cc')
})
