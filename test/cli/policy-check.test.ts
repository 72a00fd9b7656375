// A policy is checked before it can act (issue 21), through the built bin: a misspelt field names
// file:line, the rule and the closest real field; a rule that cannot be evaluated on the shipped valid
// examples is refused; every problem of the file comes in one run; serve and check exit 2 and serve
// never starts listening (no certificates written, no port bound).
import t from 'tap'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { runBuiltCli } from '../helpers/cli.js'
import { fieldReferences, schemaProblem } from '../../src/cli/policy-check.js'
import * as samples from '../../src/cli/policy-samples.js'
import { ROOT } from './check-run.js'

const POLICY = `rules:
  - id: low-confidence
    operations: [CREATE]
    expression: "object.spec.confidnce >= 0.5"
    message: confidence is low
    fieldPath: spec.confidence
    severity: warn
  - id: rationale-present
    operations: [CREATE, UPDATE]
    expression: "has(object.spec.rationale)"
    message: a rationale is required
    fieldPath: spec.rationle
    severity: deny
  - id: failure-reason-known
    operations: [UPDATE]
    subresource: status
    expression: "object.status.failureDetails.reason != 'Unknown'"
    message: the failure reason must be known
    fieldPath: status.failureDetails.reason
    severity: deny
  - id: Not_Kebab
    operations: [CREATE]
    expression: "true"
    message: x
    fieldPath: spec
    severity: deny
`

const PROBLEMS = [
  'wfe-admission check: the policy has 4 problems; nothing was started:',
  '  bad.yaml:21: rule "Not_Kebab" (rules[3]): id: "Not_Kebab" must be kebab-case (a-z, 0-9, -), at most 63 characters',
  '  bad.yaml:2: rule "low-confidence" (rules[0]): expression: spec.confidnce: spec has no field "confidnce"; did you mean spec.confidence?',
  '  bad.yaml:8: rule "rationale-present" (rules[1]): fieldPath: spec.rationle: spec has no field "rationle"; did you mean spec.rationale?',
  '  bad.yaml:14: rule "failure-reason-known" (rules[2]): expression: cannot be evaluated on examples/update/status-completed.yaml (UPDATE /status of examples/update/stored.yaml): rule failure-reason-known could not be evaluated: No such key: failureDetails',
  '',
].join('\n')

t.test('check: every problem of the file at once, each at its line with the closest real field; exit 2', async (t) => {
  const cwd = t.testdir({ 'bad.yaml': POLICY, 'wfe.yaml': readFileSync(join(ROOT, 'examples/valid/workflowexecution.yaml'), 'utf8') })
  const r = await runBuiltCli(['check', '--policy', 'bad.yaml', 'wfe.yaml'], { cwd })
  t.equal(r.code, 2)
  t.equal(r.stdout, '', 'nothing was checked with a broken policy')
  t.equal(r.stderr, PROBLEMS)
})

t.test('serve: exit 2 with the same lines, before writing certificates or binding a port', async (t) => {
  const cwd = t.testdir({ 'bad.yaml': POLICY })
  const r = await runBuiltCli(
    ['serve', '--dev-certs', '--cert-dir', 'certs', '--port', '0', '--probe-port', '0', '--no-events', '--policy', 'bad.yaml'],
    { cwd },
  )
  t.equal(r.code, 2)
  t.equal(r.stderr, PROBLEMS.replace('wfe-admission check:', 'wfe-admission serve:'))
  t.notOk(existsSync(join(cwd, 'certs')), 'never got as far as the certificates')
})

t.test('the shipped example policy loads: its rules read real fields and evaluate on the examples', async (t) => {
  const r = await runBuiltCli(['check', '--policy', 'examples/policy.yaml', 'examples/valid'], { cwd: ROOT })
  t.equal(r.code, 0, r.stderr)
})

t.test('the built-in samples are the shipped examples', async (t) => {
  for (const [name, file] of Object.entries(samples.SAMPLE_FILES)) {
    const sample = (samples as unknown as Record<string, unknown>)[name.toUpperCase()]
    t.same(sample, parse(readFileSync(join(ROOT, file), 'utf8')), `${name} is ${file}`)
  }
})

t.test('field references: strings and method calls are not fields; maps take any key; lists have no fields', async (t) => {
  t.same(fieldReferences(`object.spec.workflowRef.executionBundle.matches("object.spec.nope") && oldObject.status.phase == 'x'`), [
    ['spec', 'workflowRef', 'executionBundle'],
    ['status', 'phase'],
  ])
  t.same(fieldReferences('object.status.conditions.exists(c, c.type == "Ready")'), [['status', 'conditions']])
  t.equal(schemaProblem(['spec', 'parameters', 'ANY_KEY']), undefined)
  t.equal(schemaProblem(['metadata', 'labels', 'app']), undefined)
  t.equal(schemaProblem(['spec', 'workflowRef', 'engineConfig', 'anything', 'below']), undefined, 'preserved unknown fields')
  t.equal(schemaProblem(['status', 'conditions', 'type']), 'status.conditions is a list: "type" is not a field of it')
  t.equal(schemaProblem(['spec', 'confidence', 'x']), 'spec.confidence is a number: it has no field "x"')
  t.equal(schemaProblem(['metdata']), 'a WorkflowExecution has no field "metdata"; did you mean metadata?')
})
