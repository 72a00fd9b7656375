import t from 'tap'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { loadPolicyFile, parsePolicy } from '../src/policy-file.js'
import { compilePolicy } from '../src/policy.js'
import { admit } from '../src/admission/admit.js'
import { policyFromFlags } from '../src/cli/policy-flags.js'
import { parseFlags } from '../src/cli/args.js'
import { CORE_FLAGS } from '../src/cli/flags.js'
import { aRequest, aWorkflowExecution, TEST_OPTIONS } from './helpers/objects.js'
import { ruleIds } from './helpers/verdict.js'

const EXAMPLE = new URL('../examples/policy.yaml', import.meta.url).pathname

t.test('examples/policy.yaml loads and each of its rules fires', async (t) => {
  const rules = loadPolicyFile(EXAMPLE)
  t.same(
    rules.map((r) => [r.id, r.kind, 'severity' in r ? r.severity : '']),
    [
      ['low-confidence', 'validate', 'warn'],
      ['approved-bundle-registry', 'validate', 'deny'],
      ['rationale-required', 'validate', 'deny'],
    ],
  )
  const policy = compilePolicy(TEST_OPTIONS, rules)
  const good = admit(aRequest({ object: aWorkflowExecution() }), policy, 'both')
  t.equal(good.response.allowed, true)
  t.same(ruleIds(good), [], 'the helper object satisfies all three')

  const low = admit(
    aRequest({
      object: aWorkflowExecution((w) => {
        w.spec.confidence = 0.31
      }),
    }),
    policy,
    'both',
  )
  t.equal(low.response.allowed, true, 'a warning does not deny')
  t.same(ruleIds(low, 'warn'), ['low-confidence'])
  t.match(low.response.warnings, [
    /timeout/,
    'spec.confidence: Invalid value: 0.31: confidence 0.31 is below 0.5: a person should review this execution',
  ])

  const bundle = admit(
    aRequest({
      object: aWorkflowExecution((w) => {
        w.spec.workflowRef.executionBundle = 'docker.io/someone/restart:v1'
      }),
    }),
    policy,
    'both',
  )
  t.equal(bundle.response.allowed, false)
  t.same(ruleIds(bundle, 'deny'), ['approved-bundle-registry'])
  t.equal(
    bundle.response.status?.message,
    'spec.workflowRef.executionBundle: Invalid value: "docker.io/someone/restart:v1": must be an OCI reference under ghcr.io/kubernaut/ or quay.io/kubernaut/',
  )

  for (const rationale of [undefined, '   ']) {
    const r = admit(
      aRequest({
        object: aWorkflowExecution((w) => {
          if (rationale === undefined) delete w.spec.rationale
          else w.spec.rationale = rationale
        }),
      }),
      policy,
      'both',
    )
    t.same(ruleIds(r, 'deny'), ['rationale-required'], `rationale ${JSON.stringify(rationale)}`)
    t.equal(r.response.status?.message, 'spec.rationale: Required value: a rationale is required for the audit trail (SOC2 CC7.4)')
  }
})

const RULE = { id: 'my-rule', operations: ['CREATE'], expression: 'true', message: 'm', fieldPath: 'spec', severity: 'deny' }
const yamlOf = (rules: unknown) => JSON.stringify({ rules })
/** A policy file's rules as the commands use them: shape checked at load, ids and CEL by compilePolicy. */
const loadErr = (rules: unknown) => () => compilePolicy(TEST_OPTIONS, parsePolicy('p.yaml', yamlOf(rules)))

t.test('shape errors name the file, the rule and the field', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['missing id', [{ ...RULE, id: undefined }], /^p\.yaml:\d+: rules\[0\]: id: required/],
    ['bad id', [{ ...RULE, id: 'My_Rule' }], /^p\.yaml:\d+: rule "My_Rule" \(rules\[0\]\): id: "My_Rule" must be kebab-case/],
    ['unknown field', [{ ...RULE, sevrity: 'warn' }], /^p\.yaml:\d+: rule "my-rule" \(rules\[0\]\): sevrity: unknown field/],
    ['missing expression', [{ ...RULE, expression: undefined }], /rule "my-rule" \(rules\[0\]\): expression: required/],
    ['no message', [{ ...RULE, message: undefined }], /message: required: give message or messageExpression/],
    ['bad severity', [{ ...RULE, severity: 'error' }], /severity: must be one of deny, warn, got "error"/],
    ['missing severity', [{ ...RULE, severity: undefined }], /severity: must be one of deny, warn, got nothing/],
    ['DELETE', [{ ...RULE, operations: ['DELETE'] }], /operations: must be a non-empty list of CREATE, UPDATE/],
    ['no operations', [{ ...RULE, operations: [] }], /operations: must be a non-empty list/],
    ['bad subresource', [{ ...RULE, subresource: 'scale' }], /subresource: must be '' \(the main resource\) or 'status'/],
    ['bad fieldPath', [{ ...RULE, fieldPath: 'spec..x' }], /fieldPath: "spec\.\.x" must be a Kubernetes field path/],
    ['bad reason', [{ ...RULE, reason: 'Nope' }], /reason: must be one of FieldValueInvalid, FieldValueRequired, FieldValueForbidden/],
    ['built-in id', [{ ...RULE, id: 'spec-immutable' }], /rule "spec-immutable" \(rules\[0\]\): id: collides with a built-in rule id/],
    ['duplicate id', [RULE, RULE], /rule "my-rule" \(rules\[1\]\): id: duplicate of rules\[0\]/],
    ['not a mapping', ['just a string'], /rules\[0\]: rule: must be a mapping/],
  ]
  for (const [name, rules, message] of cases) t.throws(loadErr(rules), { code: 'WFE_ERR_POLICY_FILE', message }, name)
  t.throws(() => parsePolicy('p.yaml', 'kind: Policy\n'), { message: 'p.yaml: must hold a list of rules under "rules:" (or a bare list)' })
  t.throws(() => parsePolicy('p.yaml', 'rules: []\nrulez: []\n'), { message: /unknown top-level field "rulez"/ })
})

t.test('accepted variants: a bare list, one subresource or a list, message and messageExpression together', async (t) => {
  const rules = parsePolicy(
    'p.yaml',
    yamlOf([
      { ...RULE, subresource: 'status', operations: 'UPDATE', messageExpression: '"x"' },
      { ...RULE, id: 'two', subresource: ['', 'status'], description: 'd', reason: 'FieldValueForbidden' },
    ]),
  )
  t.match(rules, [
    { id: 'my-rule', subresources: ['status'], operations: ['UPDATE'], message: 'm', messageExpression: '"x"', description: 'm' },
    { id: 'two', subresources: ['', 'status'], description: 'd', reason: 'FieldValueForbidden' },
  ])
  t.equal(parsePolicy('p.yaml', JSON.stringify([RULE])).length, 1)
})

t.test('a broken expression stops start-up with the file, the rule id and the CEL error', async (t) => {
  t.throws(loadErr([{ ...RULE, expression: 'object.spec.confidence <' }]), {
    code: 'WFE_ERR_POLICY_FILE',
    message: /^p\.yaml:\d+: rule "my-rule" \(rules\[0\]\): expression: CEL: .+/,
  })
  t.throws(loadErr([{ ...RULE, expression: 'size(object) + 1' }]), {
    message: /expression: CEL: expression must evaluate to bool, not int/,
  })
  t.throws(loadErr([{ ...RULE, expression: 'true', messageExpression: '1 + 2' }]), {
    message: /messageExpression: CEL: expression must evaluate to string, not int/,
  })
  t.throws(loadErr([{ ...RULE, expression: 'object.spec.rationale.matches(object.spec.targetResource)' }]), {
    message: /expression: CEL: matches\(\) at character 1: the pattern must be a string literal/,
  })
  t.throws(loadErr([{ ...RULE, expression: 'unknownVar == 1' }]), { message: /expression: CEL: .*unknownVar/ })
})

t.test('YAML errors name the line; an unreadable file names the file', async (t) => {
  t.throws(() => parsePolicy('p.yaml', 'rules:\n  - id: a\n    expression: "x\n  bad: [\n'), {
    code: 'WFE_ERR_POLICY_FILE',
    message: /^p\.yaml:\d+: invalid YAML: /,
  })
  t.throws(() => loadPolicyFile('/nonexistent/policy.yaml'), {
    code: 'WFE_ERR_POLICY_FILE',
    message: '/nonexistent/policy.yaml: cannot read: ENOENT',
  })
})

/** The core flags as parsed from `--policy F` for each file. */
const withPolicy = (...files: string[]) =>
  parseFlags(
    files.flatMap((f) => ['--policy', f]),
    CORE_FLAGS,
    {},
  ).values

t.test('--policy via policyFromFlags: files combine, and an id in two files is rejected', async (t) => {
  const dir = t.testdir({ 'a.yaml': yamlOf([RULE]), 'b.yaml': yamlOf([{ ...RULE, id: 'other' }]) })
  const policy = policyFromFlags(withPolicy(join(dir, 'a.yaml'), join(dir, 'b.yaml')), process.cwd())
  t.ok(policy.rules.some((r) => r.id === 'other') && policy.rules.some((r) => r.id === 'my-rule'))
  writeFileSync(join(dir, 'b.yaml'), yamlOf([RULE]))
  t.same(
    policyFromFlags(withPolicy('a.yaml'), dir).rules.filter((r) => r.id === 'my-rule').length,
    1,
    "a relative path is read from the command's directory",
  )
  t.throws(
    () => policyFromFlags(withPolicy('missing.yaml'), dir),
    { code: 'WFE_ERR_POLICY_FILE', message: '--policy: the path "missing.yaml" does not exist' },
    'and named as written',
  )
  t.throws(() => policyFromFlags(withPolicy(join(dir, 'a.yaml'), join(dir, 'b.yaml')), process.cwd()), {
    code: 'WFE_ERR_RULE_COMPILE',
    message: 'rule my-rule: duplicate rule id',
  })
})
