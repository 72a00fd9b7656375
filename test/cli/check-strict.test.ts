// `check` is as strict as kubectl (issue 21), through the built bin: a misspelt field is refused
// under kubectl's default --validate=strict, a WorkflowExecution in a group or version nobody serves
// (or a near miss of our group) is a denial in kubectl's words, only other kinds are skipped (and
// counted by kind), and --tolerate-warning keeps a routine warning from failing --warnings-as-errors.
// test/e2e/parity.e2e.ts shows the same verdicts from the real apiserver for examples/invalid/typos.yaml.
import t from 'tap'
import { runBuiltCli } from '../helpers/cli.js'
import { NO_CLUSTER_STATE_NOTE } from '../../src/cli/check/cluster-state.js'

const WFE = (apiVersion: string, extra = '', metadataExtra = '') =>
  [
    `apiVersion: ${apiVersion}`,
    'kind: WorkflowExecution',
    'metadata:',
    '  name: wfe-ci',
    '  namespace: team-a',
    metadataExtra,
    'spec:',
    '  remediationRequestRef: {kind: RemediationRequest, name: rr}',
    '  workflowRef: {workflowId: restart, version: v1.0.0, executionBundle: ghcr.io/kubernaut/workflows/restart:v1}',
    '  targetResource: team-a/Deployment/api',
    extra,
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n'

const OK = 'kubernaut.ai/v1alpha1'

t.test('a misspelt field: denied by default and with strict/true, a warning with warn, nothing with ignore/false', async (t) => {
  const cwd = t.testdir({ 'wfe.yaml': WFE(OK, '  rationae: typo\n  executionConfig: {timeout: 30m0s}', '  lables: {a: b}') })
  const strict = await runBuiltCli(['check', 'wfe.yaml'], { cwd })
  t.equal(strict.code, 1, 'kubectl refuses it, so check denies it')
  t.equal(
    strict.stdout,
    [
      'wfe.yaml:1: team-a/wfe-ci (CREATE): DENIED',
      '  wfe.yaml:6:3: strict decoding error: unknown field "metadata.lables" [unknown-field]',
      '  wfe.yaml:11:3: strict decoding error: unknown field "spec.rationae" [unknown-field]',
      '1 object checked: 0 allowed, 1 denied, 0 warnings',
      '',
    ].join('\n'),
  )
  for (const args of [['--validate=strict'], ['--validate=true'], ['--validate', 'strict']])
    t.equal((await runBuiltCli(['check', ...args, 'wfe.yaml'], { cwd })).code, 1, args.join(' '))
  const warn = await runBuiltCli(['check', '--validate=warn', 'wfe.yaml'], { cwd })
  t.equal(warn.code, 0)
  t.match(warn.stdout, /^ {2}wfe\.yaml:11:3: warning: unknown field "spec\.rationae" \[unknown-field\]$/m, "the apiserver's warning")
  for (const quiet of ['--validate=ignore', '--validate=false']) {
    const r = await runBuiltCli(['check', quiet, 'wfe.yaml'], { cwd })
    t.equal(r.code, 0, quiet)
    t.notMatch(r.stdout, /unknown field/, `${quiet}: pruned silently`)
  }
  const bad = await runBuiltCli(['check', '--validate=lenient', 'wfe.yaml'], { cwd })
  t.equal(bad.code, 2)
  t.equal(bad.stderr, 'wfe-admission check: --validate: invalid value "lenient": must be strict (or true), warn, or ignore (or false)\n')
})

t.test('a WorkflowExecution in a group or version the CRD does not serve is a denial; so is a near-miss group', async (t) => {
  const cwd = t.testdir({
    'group.yaml': WFE('kubernaut.io/v1alpha1'),
    'core.yaml': WFE('v1'),
    'version.yaml': WFE('kubernaut.ai/v1'),
    'near.yaml': WFE(OK).replace('kind: WorkflowExecution', 'kind: RemediationRequest').replace(OK, 'kubernuat.ai/v1alpha1'),
  })
  for (const [file, apiVersion, kind] of [
    ['group.yaml', 'kubernaut.io/v1alpha1', 'WorkflowExecution'],
    ['core.yaml', 'v1', 'WorkflowExecution'],
    ['version.yaml', 'kubernaut.ai/v1', 'WorkflowExecution'],
    ['near.yaml', 'kubernuat.ai/v1alpha1', 'RemediationRequest'],
  ] as const) {
    const r = await runBuiltCli(['check', file], { cwd })
    t.equal(r.code, 1, `${file}: denied, never skipped`)
    t.match(
      r.stdout,
      `: no matches for kind "${kind}" in version "${apiVersion}": the WorkflowExecution CRD serves kind "WorkflowExecution" in version "kubernaut.ai/v1alpha1" only [unserved-kind]`,
    )
    t.notMatch(r.stdout, /skipped/)
  }
})

t.test('only other kinds are skipped, and the summary says how many of which kinds', async (t) => {
  const cwd = t.testdir({
    'all.yaml': [
      WFE(OK),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\n',
      'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: d}\n',
    ].join('---\n'),
  })
  const r = await runBuiltCli(['check', 'all.yaml'], { cwd })
  t.equal(r.code, 0)
  t.match(
    r.stdout,
    /\n1 object checked: 1 allowed, 0 denied, 1 warning; 4 documents of other kinds skipped: 2 v1 ConfigMap, 1 apps\/v1 Deployment, 1 kubevirt\.io\/v1 VirtualMachine\n$/,
  )
})

t.test('--tolerate-warning: named rules keep --warnings-as-errors from failing; others still fail it', async (t) => {
  const cwd = t.testdir({
    'defaulted.yaml': WFE(OK),
    'lowercase.yaml': WFE(OK, '  parameters: {replicas: "3"}\n  executionConfig: {timeout: 30m0s}'),
  })
  const strict = await runBuiltCli(['check', '--warnings-as-errors', 'defaulted.yaml'], { cwd })
  t.equal(strict.code, 1, 'the timeout default is a warning, so it fails the run')
  const tolerated = await runBuiltCli(
    ['check', '--warnings-as-errors', '--tolerate-warning', 'execution-timeout-default', 'defaulted.yaml'],
    {
      cwd,
    },
  )
  t.equal(tolerated.code, 0)
  t.equal(tolerated.stderr, NO_CLUSTER_STATE_NOTE, 'nothing but the run-wide note that target blocks were not evaluated')
  t.match(tolerated.stdout, /warning: spec\.executionConfig\.timeout: defaulted/, 'still shown as a warning')
  const other = await runBuiltCli(
    ['check', '-o', 'github', '--warnings-as-errors', '--tolerate-warning=execution-timeout-default', 'lowercase.yaml', 'defaulted.yaml'],
    { cwd },
  )
  t.equal(other.code, 1, 'a warning of another rule still fails the run')
  t.match(other.stdout, /^::error .*title=wfe-admission parameter-name-upper-snake::/m)
  t.match(other.stdout, /^::warning .*title=wfe-admission execution-timeout-default::/m)
  t.match(other.stderr, /--warnings-as-errors: this warning fails the run: lowercase\.yaml:.*\[parameter-name-upper-snake\]\n$/)
  const typo = await runBuiltCli(['check', '--warnings-as-errors', '--tolerate-warning', 'execution-timeout-defualt', 'defaulted.yaml'], {
    cwd,
  })
  t.equal(typo.code, 2)
  t.equal(
    typo.stderr,
    'wfe-admission check: --tolerate-warning: no rule "execution-timeout-defualt"; did you mean execution-timeout-default?\n',
  )
})
