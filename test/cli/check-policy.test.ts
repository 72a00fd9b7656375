import t from 'tap'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { runCheckCommand, fx } from './check-run.js'
import { MAX_REGEX_INPUT_LENGTH } from '../../src/cel/regex.js'
import { aWorkflowExecution } from '../helpers/objects.js'

const rule = (over: Record<string, unknown>) => ({
  id: 'r',
  operations: ['CREATE'],
  message: 'm',
  fieldPath: 'spec',
  severity: 'deny',
  ...over,
})

t.test('the synthesized request is what a rule sees: identity, dry-run, operation, names', async (t) => {
  const dir = t.testdir({
    'policy.yaml': stringify({
      rules: [
        rule({
          id: 'request-shape',
          expression: [
            'request.userInfo.username == "ci-bot"',
            '"release" in request.userInfo.groups && "system:authenticated" in request.userInfo.groups',
            'request.dryRun == true && request.options.dryRun == ["All"]',
            'request.operation == "CREATE" && request.name == object.metadata.name && request.namespace == object.metadata.namespace',
            'request.resource.resource == "workflowexecutions" && oldObject == null',
          ].join(' && '),
        }),
      ],
    }),
  })
  const policy = join(dir, 'policy.yaml')
  const ok = await runCheckCommand([fx('tree/a.yaml'), '--policy', policy, '--user', 'ci-bot', '--group', 'release', '--dry-run'])
  t.equal(ok.code, 0, ok.stdout)
  const other = await runCheckCommand([fx('tree/a.yaml'), '--policy', policy, '--user', 'someone', '--group', 'release', '--dry-run'])
  t.equal(other.code, 1)
  t.match(other.stdout, /spec: Invalid value: .*: m \[request-shape\]/)
})

t.test('examples/policy.yaml through check', async (t) => {
  const r = await runCheckCommand(['--policy', 'examples/policy.yaml', 'examples/valid', '-o', 'json'])
  t.equal(r.code, 0, r.stdout)
  const report = JSON.parse(r.stdout)
  t.ok(
    report.rules.some((x: { id: string }) => x.id === 'approved-bundle-registry'),
    'user rules are in the rule table',
  )
})

t.test('a broken rule stops the check with exit 2, naming the rule and the CEL error', async (t) => {
  const dir = t.testdir({
    'bad.yaml': stringify({
      rules: [rule({ id: 'good', expression: 'true' }), rule({ id: 'broken-rule', expression: 'object.spec.confidence >' })],
    }),
  })
  const r = await runCheckCommand([fx('tree'), '--policy', join(dir, 'bad.yaml')])
  t.equal(r.code, 2)
  t.equal(r.stdout, '')
  t.match(
    r.stderr,
    /^wfe-admission check: the policy has a problem; nothing was started:\n {2}.*bad\.yaml:\d+: rule "broken-rule" \(rules\[1\]\): expression: CEL: \S.+\n$/,
  )
})

t.test('a regex stall attempt is bounded: linear on long input, fails closed past the input bound', async (t) => {
  const dir = t.testdir({
    'policy.yaml': stringify({
      rules: [
        rule({
          id: 'evil-regex',
          expression: '!object.spec.rationale.matches("^(a+)+$")',
          fieldPath: 'spec.rationale',
          message: 'rationale of a only',
        }),
      ],
    }),
  })
  const write = async (name: string, rationale: string) => {
    const { writeFileSync } = await import('node:fs')
    const w = aWorkflowExecution((o) => {
      o.spec.rationale = rationale
      o.spec.executionConfig = { timeout: '10m0s' }
    })
    writeFileSync(join(dir, name), JSON.stringify(w))
    return join(dir, name)
  }
  const policy = join(dir, 'policy.yaml')
  // A backtracking engine takes exponential time on this input; RE2 answers at once.
  const near = await runCheckCommand([
    await write('near.json', 'a'.repeat(MAX_REGEX_INPUT_LENGTH - 1) + '!'),
    '--policy',
    policy,
    '-o',
    'json',
  ])
  t.equal(near.code, 0, 'does not match, so the rule passes')
  const over = await runCheckCommand([await write('over.json', 'a'.repeat(MAX_REGEX_INPUT_LENGTH + 1)), '--policy', policy, '-o', 'json'])
  t.equal(over.code, 1, 'over the bound the deny rule denies')
  t.match(JSON.parse(over.stdout).results[0].findings, [
    {
      ruleId: 'evil-regex',
      message:
        /^spec\.rationale: Internal error: rule evil-regex could not be evaluated: matches\(\): input is 4097 characters, more than the 4096/,
    },
  ])
  const dynamic = t.testdir({
    'p.yaml': stringify({ rules: [rule({ id: 'dyn-pattern', expression: 'object.spec.rationale.matches(object.spec.targetResource)' })] }),
  })
  const refused = await runCheckCommand([fx('tree'), '--policy', join(dynamic, 'p.yaml')])
  t.equal(refused.code, 2)
  t.match(refused.stderr, /rule "dyn-pattern" .*the pattern must be a string literal/)
})
