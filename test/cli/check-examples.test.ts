import t from 'tap'
import { runCheckCommand } from './check-run.js'

const verdicts = async (argv: string[]) => {
  const r = await runCheckCommand([...argv, '-o', 'json'])
  return {
    code: r.code,
    got: JSON.parse(r.stdout).results.map((x: any) => [
      x.source.file.replace('examples/', ''),
      x.allowed,
      x.findings.map((f: any) => `${f.severity}:${f.ruleId}`),
    ]),
  }
}

// examples/README.md promises these verdicts; keep them true.
t.test('examples/valid and examples/invalid', async (t) => {
  const { code, got } = await verdicts(['examples/valid', 'examples/invalid'])
  t.equal(code, 1)
  t.same(got, [
    ['valid/defaulted-timeout.yaml', true, ['warn:execution-timeout-default']],
    ['valid/workflowexecution.yaml', true, []],
    ['invalid/typos.yaml', false, ['deny:unknown-field']],
    ['invalid/typos.yaml', false, ['deny:unserved-kind']],
    ['invalid/workflowexecutions.yaml', false, ['deny:target-resource-format']],
    ['invalid/workflowexecutions.yaml', false, ['deny:execution-bundle-required', 'deny:confidence-range']],
    ['invalid/workflowexecutions.yaml', false, ['deny:execution-timeout-valid']],
  ])
})

t.test('examples/update pairs', async (t) => {
  const spec = await verdicts([
    '--old',
    'examples/update/stored.yaml',
    'examples/update/spec-changed.yaml',
    'examples/update/labels-added.yaml',
  ])
  t.same(spec.got, [
    ['update/spec-changed.yaml', false, ['deny:spec-immutable']],
    ['update/labels-added.yaml', true, []],
  ])
  const status = await verdicts([
    '--old',
    'examples/update/stored.yaml',
    '--subresource',
    'status',
    'examples/update/status-completed.yaml',
    'examples/update/status-backwards.yaml',
  ])
  t.same(status.got, [
    ['update/status-completed.yaml', true, []],
    ['update/status-backwards.yaml', false, ['deny:phase-transition']],
  ])
})
