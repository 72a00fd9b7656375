import t from 'tap'
import { exitCode } from '../../src/cli/exit-code.js'
import type { CheckReport, Finding, ObjectResult } from '../../src/cli/check/report.js'

const obj = (allowed: boolean, findings: Finding[] = []): ObjectResult => ({
  source: { file: 'a.yaml', line: 1 },
  namespace: 'ns',
  name: 'n',
  operation: 'CREATE',
  subresource: '',
  allowed,
  findings,
})
const report = (...results: ObjectResult[]): CheckReport => ({
  tool: { name: 'wfe-admission', version: '0' },
  results,
  skipped: [],
  rules: [],
})
const warn: Finding = { ruleId: 'w', severity: 'warn', field: 'spec', message: 'spec: x' }

t.test('0 when all allowed, 1 on any denial, warnings only with --warnings-as-errors', async (t) => {
  const off = { warningsAsErrors: false }
  const on = { warningsAsErrors: true }
  t.equal(exitCode(report(), off), 0, 'nothing checked')
  t.equal(exitCode(report(obj(true), obj(true)), off), 0)
  t.equal(exitCode(report(obj(true), obj(false)), off), 1)
  t.equal(exitCode(report(obj(true, [warn])), off), 0)
  t.equal(exitCode(report(obj(true, [warn])), on), 1)
  t.equal(exitCode(report(obj(true)), on), 0)
})
