import t from 'tap'
import { NO_CLUSTER_STATE_NOTE } from '../../src/cli/check/cluster-state.js'
import { parse, parseAllDocuments } from 'yaml'
import { runCheckCommand, fx } from './check-run.js'

const json = async (argv: string[], opts: { stdin?: string } = {}) => {
  const r = await runCheckCommand([...argv, '-o', 'json'], opts)
  return { ...r, report: JSON.parse(r.stdout) }
}
const verdicts = (report: any) =>
  report.results.map((r: any) => [r.name, r.allowed, r.findings.map((f: any) => `${f.severity}:${f.ruleId}`)])

t.test(
  'multi-document YAML: each object with the line it starts on, each finding at its field (or the nearest written parent), text output and summary',
  async (t) => {
    const r = await runCheckCommand([fx('multi-doc.yaml')])
    t.equal(r.code, 1, 'one denial')
    t.equal(r.stderr, NO_CLUSTER_STATE_NOTE, 'said once, not per object')
    t.equal(
      r.stdout,
      [
        'test/fixtures/manifests/multi-doc.yaml:3: team-a/wfe-one (CREATE): allowed',
        'test/fixtures/manifests/multi-doc.yaml:25: team-a/wfe-bad-confidence (CREATE): DENIED',
        '  test/fixtures/manifests/multi-doc.yaml:41:3: spec.confidence: Invalid value: 1.5: must be between 0 and 1 inclusive [confidence-range]',
        'test/fixtures/manifests/multi-doc.yaml:46: team-a/wfe-no-timeout (CREATE): allowed',
        '  test/fixtures/manifests/multi-doc.yaml:51:1: warning: spec.executionConfig.timeout: defaulted to "30m0s" (no timeout was set) [execution-timeout-default]',
        '3 objects checked: 2 allowed, 1 denied, 1 warning',
        '',
      ].join('\n'),
    )
  },
)

t.test('kind: List and a JSON WorkflowExecutionList: items are objects, other kinds are skipped and counted', async (t) => {
  const { code, report } = await json([fx('list.yaml'), fx('list.json')])
  t.equal(code, 1)
  t.same(verdicts(report), [
    ['wfe-listed-ok', true, []],
    ['wfe-listed-bad', false, ['deny:target-resource-format']],
    ['wfe-json-one', true, []],
    ['wfe-json-two', false, ['deny:confidence-range']],
  ])
  t.same(
    report.results.map((r: any) => `${r.source.file}:${r.source.line}`),
    [
      'test/fixtures/manifests/list.yaml:11',
      'test/fixtures/manifests/list.yaml:31',
      'test/fixtures/manifests/list.json:6',
      'test/fixtures/manifests/list.json:34',
    ],
  )
  t.same(report.skipped, [{ source: { file: 'test/fixtures/manifests/list.yaml', line: 5 }, apiVersion: 'v1', kind: 'ConfigMap' }])
})

t.test(
  'mixed kinds: other groups are skipped; a kubernaut.ai version the CRD does not serve is an error; no namespace means --namespace',
  async (t) => {
    const { code, report } = await json([fx('mixed-kinds.yaml'), '--namespace', 'ci-ns'])
    t.equal(code, 1, 'kubernaut.ai/v1beta1 would be refused by the apiserver')
    t.same(
      report.skipped.map((s: any) => `${s.apiVersion} ${s.kind}`),
      ['v1 ConfigMap', 'apps/v1 Deployment'],
    )
    t.same(verdicts(report), [
      ['from-the-future', false, ['deny:unserved-kind']],
      ['wfe-among-others', true, []],
    ])
    t.same(
      report.results.map((r: any) => `${r.namespace}/${r.name}`),
      ['ci-ns/from-the-future', 'ci-ns/wfe-among-others'],
    )
    t.same(report.summary, { objects: 2, allowed: 1, denied: 1, warnings: 0, skipped: 2 })
    const text = await runCheckCommand([fx('mixed-kinds.yaml')])
    t.match(
      text.stdout,
      /\n {2}test\/fixtures\/manifests\/mixed-kinds\.yaml:16:1: apiVersion: no matches for kind "WorkflowExecution" in version "kubernaut\.ai\/v1beta1": the WorkflowExecution CRD serves kind "WorkflowExecution" in version "kubernaut\.ai\/v1alpha1" only \[unserved-kind\]\n/,
    )
    t.match(
      text.stdout,
      /2 objects checked: 1 allowed, 1 denied, 0 warnings; 2 documents skipped \(not a kubernaut\.ai\/v1alpha1 WorkflowExecution\)\n$/,
    )
  },
)

t.test('directories are walked in order; dot-directories and other extensions are ignored', async (t) => {
  const { code, report } = await json([fx('tree')])
  t.equal(code, 0, 'tree/.hidden/c.yaml and notes.txt are broken YAML: reading them would exit 2')
  t.same(
    report.results.map((r: any) => r.source.file),
    ['test/fixtures/manifests/tree/a.yaml', 'test/fixtures/manifests/tree/nested/b.yml'],
  )
})

t.test('stdin with -', async (t) => {
  const { readFileSync } = await import('node:fs')
  const { code, report } = await json(['-'], { stdin: readFileSync(fx('multi-doc.yaml'), 'utf8') })
  t.equal(code, 1)
  t.same(
    report.results.map((r: any) => `${r.source.file}:${r.source.line}`),
    ['<stdin>:3', '<stdin>:25', '<stdin>:46'],
  )
})

t.test('exit 2 for unparsable YAML (naming file and line), unreadable paths and usage errors', async (t) => {
  const broken = await runCheckCommand([fx('broken.yaml')])
  t.equal(broken.code, 2)
  t.equal(broken.stdout, '', 'no partial report')
  t.match(broken.stderr, /^wfe-admission check: test\/fixtures\/manifests\/broken\.yaml:2[5-7]:\d+: invalid YAML: /)
  const cases: [string[], RegExp][] = [
    [['nope/missing.yaml'], /^wfe-admission check: PATH: the path "nope\/missing\.yaml" does not exist\n$/],
    [[fx('tree'), '--old', 'nope/stored.yaml'], /^wfe-admission check: --old: the path "nope\/stored\.yaml" does not exist\n$/],
    [[], /give at least one PATH/],
    [[fx('tree'), '-o', 'xml'], /--output must be one of text, json, junit, sarif, github, got "xml"/],
    [[fx('tree'), '--subresource', 'status'], /--subresource status needs --old/],
    [[fx('tree'), '--subresource', 'scale', '--old', fx('tree')], /--subresource must be '' or status/],
    [[fx('tree'), '--no-such-flag'], /^wfe-admission check: unknown flag --no-such-flag \(see wfe-admission check --help\)\n$/],
    [
      [fx('tree'), '--outptu', 'json'],
      /^wfe-admission check: unknown flag --outptu; did you mean --output\? \(see wfe-admission check --help\)\n$/,
    ],
    [['-', '--old', '-'], /- \(stdin\) may be given only once/],
    [[fx('tree'), '--default-timeout', 'soon'], /--default-timeout: invalid value "soon"/],
  ]
  for (const [argv, message] of cases) {
    const r = await runCheckCommand(argv)
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.stderr, message)
  }
})

t.test('--help prints the flags, including the ones shared with serve', async (t) => {
  const r = await runCheckCommand(['--help'])
  t.equal(r.code, 0)
  for (const flag of [
    '--output',
    '--old',
    '--subresource',
    '--user',
    '--group',
    '--dry-run',
    '--print-mutated',
    '--warnings-as-errors',
    '--default-timeout',
    '--min-clear-reason-words',
    '--trusted-controllers',
    '--policy',
  ])
    t.match(r.stdout, flag)
})

t.test('warnings pass unless --warnings-as-errors', async (t) => {
  t.equal((await runCheckCommand([fx('multi-doc.yaml'), fx('tree')])).code, 1)
  t.equal((await runCheckCommand([fx('tree'), fx('list.json')])).code, 1)
  const warnOnly = fx('tree')
  t.equal((await runCheckCommand([warnOnly])).code, 0)
  const { writeFileSync } = await import('node:fs')
  const path = await import('node:path')
  const dir = t.testdir({})
  const docs = parseAllDocuments((await import('node:fs')).readFileSync(fx('multi-doc.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .filter((d) => d?.metadata?.name === 'wfe-no-timeout')
  writeFileSync(path.join(dir, 'w.json'), JSON.stringify(docs[0]))
  t.equal((await runCheckCommand([path.join(dir, 'w.json')])).code, 0, 'a warning alone passes')
  t.equal((await runCheckCommand([path.join(dir, 'w.json'), '--warnings-as-errors'])).code, 1, 'and fails with --warnings-as-errors')
  t.equal(
    (await runCheckCommand([path.join(dir, 'w.json'), '--default-timeout', '45m', '-o', 'json'])).stdout.includes(
      'defaulted to \\"45m0s\\"',
    ),
    true,
    "serve's options reach the core",
  )
})

t.test('--print-mutated: the admitted objects as YAML on stdout, the report on stderr', async (t) => {
  const r = await runCheckCommand([fx('multi-doc.yaml'), '--print-mutated'])
  t.equal(r.code, 1)
  t.match(r.stderr, /3 objects checked: 2 allowed, 1 denied, 1 warning/)
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS())
  t.same(
    docs.map((d) => d.metadata.name),
    ['wfe-one', 'wfe-no-timeout'],
    'denied objects are not printed',
  )
  t.equal(docs[1].spec.executionConfig.timeout, '30m0s', 'the defaulted timeout is in the printed object')
  t.match(r.stdout, /^---\n# test\/fixtures\/manifests\/multi-doc\.yaml:3\n/)
})

t.test(
  'UPDATE pairs by namespace/name: spec immutability, metadata-only updates; an object --old does not hold is an error, not a CREATE',
  async (t) => {
    const { code, report } = await json([
      '--old',
      fx('update/stored.yaml'),
      fx('update/spec-changed.yaml'),
      fx('update/metadata-only.yaml'),
    ])
    t.equal(code, 1)
    t.same(
      report.results.map((r: any) => [r.name, r.operation, r.old?.file ?? null, r.allowed]),
      [
        ['wfe-update', 'UPDATE', 'test/fixtures/manifests/update/stored.yaml', false],
        ['wfe-update', 'UPDATE', 'test/fixtures/manifests/update/stored.yaml', true],
      ],
    )
    t.match(report.results[0].findings, [
      {
        ruleId: 'spec-immutable',
        field: 'spec',
        message: /^spec: Forbidden: spec is immutable after creation \(ADR-001\); changed: spec\.targetResource/,
      },
    ])
    const unmatched = await runCheckCommand(['--old', fx('update/stored.yaml'), fx('update/spec-changed.yaml'), fx('tree/a.yaml')])
    t.equal(unmatched.code, 2)
    t.equal(unmatched.stdout, '', 'no partial report')
    t.equal(
      unmatched.stderr,
      'wfe-admission check: test/fixtures/manifests/tree/a.yaml:1: team-a/wfe-tree-a: no object with this namespace/name in --old; without it the object would be checked as a CREATE, skipping the UPDATE rules\n',
    )
  },
)

t.test('--subresource status: phase transitions forward only', async (t) => {
  const { code, report } = await json([
    '--old',
    fx('update/stored.yaml'),
    '--subresource',
    'status',
    fx('update/status-forward.yaml'),
    fx('update/status-backward.yaml'),
  ])
  t.equal(code, 1)
  t.same(verdicts(report), [
    ['wfe-update', true, []],
    ['wfe-update', false, ['deny:phase-transition']],
  ])
  t.ok(report.results.every((r: any) => r.operation === 'UPDATE' && r.subresource === 'status'))
  const unmatched = await runCheckCommand(['--old', fx('update/stored.yaml'), '--subresource', 'status', fx('tree/a.yaml')])
  t.equal(unmatched.code, 2)
  t.match(unmatched.stderr, /tree\/a\.yaml:1: team-a\/wfe-tree-a: no object with this namespace\/name in --old/)
  const twice = await runCheckCommand(['--old', fx('update/stored.yaml'), '--old', fx('update/stored.yaml'), fx('tree/a.yaml')])
  t.equal(twice.code, 2)
  t.match(twice.stderr, /--old has team-a\/wfe-update twice/)
})

t.test('attribution: --user becomes clearedBy, whatever the manifest claims; an attributed clearance cannot be rewritten', async (t) => {
  const r = await runCheckCommand([
    '--old',
    fx('update/failed-stored.yaml'),
    '--subresource',
    'status',
    '--user',
    'alice@kubernaut.ai',
    '--group',
    'sre',
    fx('update/cleared.yaml'),
    '--print-mutated',
    '-o',
    'json',
  ])
  t.equal(r.code, 0, r.stderr)
  const stored = parse(r.stdout.replace(/^---\n#.*\n/, ''))
  t.equal(stored.status.blockClearance.clearedBy, 'alice@kubernaut.ai')
  t.match(stored.status.blockClearance.clearedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  const rewrite = await json([
    '--old',
    fx('update/cleared-stored.yaml'),
    '--subresource',
    'status',
    '--user',
    'mallory@kubernaut.ai',
    fx('update/cleared-rewritten.yaml'),
  ])
  t.equal(rewrite.code, 1)
  t.match(rewrite.report.results[0].findings, [{ ruleId: 'block-clearance-immutable', severity: 'deny' }])
  const anonymous = await runCheckCommand([
    '--old',
    fx('update/failed-stored.yaml'),
    '--subresource',
    'status',
    fx('update/cleared.yaml'),
    '--print-mutated',
  ])
  t.equal(anonymous.code, 0, 'the default CI identity is a real username')
  t.equal(parse(anonymous.stdout.replace(/^---\n#.*\n/, '')).status.blockClearance.clearedBy, 'wfe-admission:check')
})

t.test(
  "check sends what the apiserver would: nulls and unknown fields pruned (with kubectl's warning), status kept as stored",
  async (t) => {
    const { code, report } = await json([fx('pruning/update.yaml'), '--old', fx('pruning/stored.yaml')])
    t.equal(code, 0, 'allowed: after pruning the spec is the stored one')
    const [r] = report.results
    t.match(r, { name: 'wfe-pruned', operation: 'UPDATE', allowed: true })
    t.same(r.findings, [
      {
        ruleId: 'unknown-field',
        severity: 'warn',
        field: 'spec.executionConfig.timout',
        message: 'unknown field "spec.executionConfig.timout"',
        location: { line: 25, column: 5 },
      },
    ])
    t.ok(
      report.rules.some((x: any) => x.id === 'unknown-field'),
      'the finding has a rule entry (SARIF)',
    )
    const [stored] = parseAllDocuments(
      (await runCheckCommand([fx('pruning/update.yaml'), '--old', fx('pruning/stored.yaml'), '--print-mutated'])).stdout,
    ).map((d) => d.toJS())
    t.same(stored.status, { phase: 'Running' }, 'a main-resource UPDATE keeps the stored status')
    t.notOk('confidence' in stored.spec, 'the null confidence is pruned')
    t.same(stored.spec.executionConfig, { timeout: '15m0s' }, 'the unknown field is pruned')
    const [created] = parseAllDocuments((await runCheckCommand([fx('pruning/update.yaml'), '--print-mutated'])).stdout).map((d) => d.toJS())
    t.notOk('status' in created, 'status is dropped on CREATE')
  },
)
