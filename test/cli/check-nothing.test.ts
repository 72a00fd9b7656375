// `check` never passes on nothing: no objects is an error unless --allow-empty, and a kubernaut.ai
// document the CRD does not serve is a denial naming what it serves, at the offending line.
import t from 'tap'
import { NO_CLUSTER_STATE_NOTE } from '../../src/cli/check/cluster-state.js'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../helpers/cli.js'

const WFE = (apiVersion: string, kind: string) =>
  `# a comment\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: typo\n  namespace: team-a\nspec: {}\n`
const NOTHING = (where: string, found: string) =>
  `wfe-admission check: no WorkflowExecution to check in ${where} (${found}); pass --allow-empty if that is expected\n`

t.test('nothing to check: exit 2 with one line, for a directory of other kinds, an empty file, empty stdin', async (t) => {
  const cwd = t.testdir({
    deploy: { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' },
    'empty.yaml': '',
    'comments.yaml': '# nothing\n---\n',
  })
  const dir = await runCli(['check', 'deploy'], { cwd })
  t.equal(dir.code, 2)
  t.equal(dir.stderr, NOTHING('deploy', '1 document, none of them a kubernaut.ai/v1alpha1 WorkflowExecution'))
  t.match(dir.stdout, /^deploy\/cm\.yaml:1: skipped v1 ConfigMap\n0 objects checked/, 'the report still says what was seen')
  const empty = await runCli(['check', 'empty.yaml', 'comments.yaml'], { cwd })
  t.equal(empty.code, 2)
  t.equal(empty.stderr, NOTHING('empty.yaml comments.yaml', 'no documents'))
  const stdin = await runCli(['check', '-'], { cwd, stdin: '' })
  t.equal(stdin.code, 2)
  t.equal(stdin.stderr, NOTHING('stdin', 'no documents'))
  for (const flag of ['--allow-empty', '--allow-empty=true']) {
    const allowed = await runCli(['check', 'deploy', 'empty.yaml', flag], { cwd })
    t.equal(allowed.code, 0, flag)
    t.equal(allowed.stderr, '')
  }
  t.equal((await runCli(['check', 'deploy', '--allow-empty=false'], { cwd })).code, 2)
})

t.test('a kind typo or an unserved version in kubernaut.ai is a denial at its line, never a skip', async (t) => {
  const cwd = t.testdir({})
  writeFileSync(join(cwd, 'typo.yaml'), WFE('kubernaut.ai/v1alpha1', 'WorkflowExecutions'))
  writeFileSync(join(cwd, 'future.yaml'), WFE('kubernaut.ai/v1beta1', 'WorkflowExecution'))
  const typo = await runCli(['check', 'typo.yaml'], { cwd })
  t.equal(typo.code, 1)
  t.equal(
    typo.stdout,
    [
      'typo.yaml:2: team-a/typo (CREATE): DENIED',
      '  typo.yaml:3:1: kind: no matches for kind "WorkflowExecutions" in version "kubernaut.ai/v1alpha1": the WorkflowExecution CRD serves kind "WorkflowExecution" in version "kubernaut.ai/v1alpha1" only [unserved-kind]',
      '1 object checked: 0 allowed, 1 denied, 0 warnings',
      '',
    ].join('\n'),
  )
  const future = await runCli(['check', 'future.yaml', '-o', 'github'], { cwd })
  t.equal(future.code, 1)
  t.equal(
    future.stdout.split('\n')[0],
    '::error file=future.yaml,line=2,col=1,title=wfe-admission unserved-kind::team-a/typo: apiVersion: no matches for kind "WorkflowExecution" in version "kubernaut.ai/v1beta1": the WorkflowExecution CRD serves kind "WorkflowExecution" in version "kubernaut.ai/v1alpha1" only',
  )
  t.equal((await runCli(['check', 'typo.yaml', '--allow-empty'], { cwd })).code, 1, '--allow-empty does not excuse a denial')
})

t.test('locations: a nested field, a list item, a key with dots, and a field that is not written', async (t) => {
  const cwd = t.testdir({
    'wfe.yaml': [
      'apiVersion: kubernaut.ai/v1alpha1',
      'kind: WorkflowExecution',
      'metadata:',
      '  name: loc',
      '  namespace: team-a',
      'spec:',
      '  remediationRequestRef: {apiVersion: kubernaut.ai/v1alpha1, kind: RemediationRequest, name: rr, namespace: team-a}',
      '  workflowRef:',
      '    workflowId: restart',
      '    version: v1.0.0',
      '    executionBundle: ghcr.io/kubernaut/workflows/restart:v1',
      '  targetResource: "team-a//x"',
      '  confidence: 0.9',
      '',
    ].join('\n'),
  })
  const r = await runCli(['check', 'wfe.yaml', '-o', 'json'], { cwd })
  const findings = JSON.parse(r.stdout).results[0].findings as { field: string; location?: { line: number; column: number } }[]
  const at = Object.fromEntries(findings.map((f) => [f.field, f.location]))
  t.same(at['spec.targetResource'], { line: 12, column: 3 }, 'the key of the offending field')
  t.same(at['spec.executionConfig.timeout'], { line: 6, column: 1 }, 'an absent field: its nearest written parent')
})

t.test('--version and version print the package version', async (t) => {
  const { version } = JSON.parse((await import('node:fs')).readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  for (const argv of [['--version'], ['version']]) {
    const r = await runCli(argv)
    t.equal(r.code, 0)
    t.equal(r.stdout, `wfe-admission ${version}\n`)
  }
})

t.test('--warnings-as-errors names each warning that failed the run', async (t) => {
  const r = await runCli(['check', 'test/fixtures/manifests/multi-doc.yaml', '--warnings-as-errors', '-o', 'json'])
  t.equal(r.code, 1)
  t.equal(
    r.stderr,
    NO_CLUSTER_STATE_NOTE +
      'wfe-admission check: --warnings-as-errors: this warning fails the run: test/fixtures/manifests/multi-doc.yaml:51:1: team-a/wfe-no-timeout: spec.executionConfig.timeout: defaulted to "30m0s" (no timeout was set) [execution-timeout-default]\n',
  )
})

t.test('field paths split as apimachinery writes them', async (t) => {
  const { pathSegments } = await import('../../src/cli/check/documents.js')
  t.same(pathSegments('spec.targetResource'), ['spec', 'targetResource'])
  t.same(pathSegments('status.conditions[0].type'), ['status', 'conditions', '0', 'type'])
  t.same(pathSegments('metadata.annotations[kubernaut.ai/clear-execution-block]'), [
    'metadata',
    'annotations',
    'kubernaut.ai/clear-execution-block',
  ])
  t.same(pathSegments(''), [])
})

t.test('a finding in an annotation points at the annotation key', async (t) => {
  const { parseDocuments } = await import('../../src/cli/check/documents.js')
  const [doc] = parseDocuments(
    'a.yaml',
    'kind: X\nmetadata:\n  annotations:\n    other: x\n    kubernaut.ai/clear-execution-block: "why"\nitems:\n  - a\n  - b\n',
  )
  t.same(doc?.locate?.('metadata.annotations[kubernaut.ai/clear-execution-block]'), { line: 5, column: 5 })
  t.same(doc?.locate?.('items[1]'), { line: 8, column: 5 })
  t.same(doc?.locate?.('metadata.labels[app]'), { line: 2, column: 1 }, 'not written: the nearest written parent')
  t.equal(doc?.locate?.(''), undefined, 'a whole-object finding has no field position')
})
