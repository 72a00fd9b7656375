import t from 'tap'
import { runCheckCommand, fx } from '../check-run.js'
import { escapeData, escapeProperty } from '../../../src/cli/render/github.js'

t.test('GitHub workflow commands: ::error for denials, ::warning for warnings, at the line and column of the field', async (t) => {
  const r = await runCheckCommand([fx('multi-doc.yaml'), '-o', 'github'])
  t.equal(r.code, 1)
  t.same(r.stdout.trimEnd().split('\n'), [
    '::error file=test/fixtures/manifests/multi-doc.yaml,line=41,col=3,title=wfe-admission confidence-range::team-a/wfe-bad-confidence: spec.confidence: Invalid value: 1.5: must be between 0 and 1 inclusive',
    '::warning file=test/fixtures/manifests/multi-doc.yaml,line=51,col=1,title=wfe-admission execution-timeout-default::team-a/wfe-no-timeout: spec.executionConfig.timeout: defaulted to "30m0s" (no timeout was set)',
    '3 objects checked: 2 allowed, 1 denied, 1 warning',
  ])
  const strict = await runCheckCommand([fx('multi-doc.yaml'), '-o', 'github', '--warnings-as-errors'])
  t.match(strict.stdout, /^::error file=test\/fixtures\/manifests\/multi-doc\.yaml,line=51,col=1,/m)
  const whole = await runCheckCommand([fx('mixed-kinds.yaml'), '-o', 'github'])
  t.match(
    whole.stdout,
    /^::error file=test\/fixtures\/manifests\/mixed-kinds\.yaml,line=16,col=1,title=wfe-admission unserved-kind::default\/from-the-future: apiVersion: no matches for kind "WorkflowExecution" in version "kubernaut\.ai\/v1beta1"/m,
  )
})

t.test('escaping as the runner expects', async (t) => {
  t.equal(escapeData('50%\r\nnext'), '50%25%0D%0Anext')
  t.equal(escapeProperty('a:b,c'), 'a%3Ab%2Cc')
})
