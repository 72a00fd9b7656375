// Issue 13, item by item, through the built bin as CI runs it (`node dist/cli/main.js`): the exit
// code and the exact line a user sees. `npm test` builds dist/ before tap runs.
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { ROOT } from './check-run.js'

const MAIN = join(ROOT, 'dist/cli/main.js')
interface Run {
  code: number
  stdout: string
  stderr: string
}

function cli(argv: string[], opts: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [MAIN, ...argv],
      { cwd: opts.cwd ?? ROOT, env: { PATH: process.env['PATH'] ?? '', ...opts.env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
        if (code === -1) reject(err ?? new Error('no exit code'))
        else resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(opts.stdin ?? '')
  })
}

const WFE = [
  'apiVersion: kubernaut.ai/v1alpha1',
  'kind: WorkflowExecution',
  'metadata:',
  '  name: wfe-ci',
  '  namespace: team-a',
  'spec:',
  '  remediationRequestRef: {apiVersion: kubernaut.ai/v1alpha1, kind: RemediationRequest, name: rr, namespace: team-a}',
  '  workflowRef:',
  '    workflowId: restart',
  '    version: v1.0.0',
  '    executionBundle: ghcr.io/kubernaut/workflows/restart:v1',
  '  targetResource: "team-a//x"',
  '  executionConfig: {timeout: 30m}',
  '',
].join('\n')

t.before(() => {
  if (!existsSync(MAIN)) throw new Error('dist/ is not built: run npm run build (npm test does)')
})

t.test('1. check never passes on nothing', async (t) => {
  const cwd = t.testdir({
    deploy: { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' },
    'typo.yaml': WFE.replace('kind: WorkflowExecution', 'kind: WorkflowExecutions'),
  })
  const empty = await cli(['check', 'deploy'], { cwd })
  t.equal(empty.code, 2)
  t.equal(
    empty.stderr,
    'wfe-admission check: no WorkflowExecution to check in deploy (1 document, none of them a kubernaut.ai/v1alpha1 WorkflowExecution); pass --allow-empty if that is expected\n',
  )
  t.equal((await cli(['check', 'deploy', '--allow-empty'], { cwd })).code, 0)
  const stdin = await cli(['check', '-'], { cwd, stdin: '' })
  t.equal(stdin.code, 2)
  t.equal(
    stdin.stderr,
    'wfe-admission check: no WorkflowExecution to check in stdin (no documents); pass --allow-empty if that is expected\n',
  )
  const typo = await cli(['check', 'typo.yaml'], { cwd })
  t.equal(typo.code, 1)
  t.equal(
    typo.stdout.split('\n')[1],
    '  typo.yaml:2:1: kind: no matches for kind "WorkflowExecutions" in version "kubernaut.ai/v1alpha1": the WorkflowExecution CRD serves kind "WorkflowExecution" in version "kubernaut.ai/v1alpha1" only [unserved-kind]',
  )
  const junit = await cli(['check', 'deploy', 'typo.yaml', '-o', 'junit'], { cwd })
  t.match(junit.stdout.split('\n')[1], /^<testsuites name="wfe-admission check" tests="2" failures="1" errors="0" skipped="1">$/)
})

t.test("2. findings at the field's line and column, in every format; SARIF names stdin readably", async (t) => {
  const cwd = t.testdir({ 'wfe.yaml': WFE })
  const text = await cli(['check', 'wfe.yaml'], { cwd })
  t.equal(text.code, 1)
  t.match(
    text.stdout.split('\n')[1],
    /^ {2}wfe\.yaml:12:3: spec\.targetResource: Invalid value: "team-a\/\/x": .* \[target-resource-format\]$/,
  )
  const github = await cli(['check', 'wfe.yaml', '-o', 'github'], { cwd })
  t.match(
    github.stdout.split('\n')[0],
    /^::error file=wfe\.yaml,line=12,col=3,title=wfe-admission target-resource-format::team-a\/wfe-ci: spec\.targetResource: /,
  )
  const sarif = await cli(['check', '-', '-o', 'sarif'], { cwd, stdin: WFE })
  t.same(JSON.parse(sarif.stdout).runs[0].results[0].locations[0].physicalLocation, {
    artifactLocation: { uri: 'stdin', description: { text: 'standard input' } },
    region: { startLine: 12, startColumn: 3 },
  })
  const junit = await cli(['check', 'wfe.yaml', '-o', 'junit'], { cwd })
  t.match(junit.stdout, /<testcase name="team-a\/wfe-ci \(CREATE\)" classname="wfe\.yaml" file="wfe\.yaml" line="12">/)
})

t.test('3. --old that matches nothing: exit 2 naming namespace/name', async (t) => {
  const cwd = t.testdir({ 'new.yaml': WFE, 'stored.yaml': WFE.replace('name: wfe-ci', 'name: other') })
  const r = await cli(['check', '--old', 'stored.yaml', 'new.yaml'], { cwd })
  t.equal(r.code, 2)
  t.equal(
    r.stderr,
    'wfe-admission check: new.yaml:1: team-a/wfe-ci: no object with this namespace/name in --old; without it the object would be checked as a CREATE, skipping the UPDATE rules\n',
  )
})

t.test('4. booleans: --x=false, --no-x, checked environment values, --help without (default )', async (t) => {
  const cwd = t.testdir({ 'wfe.yaml': WFE.replace('"team-a//x"', 'team-a/Deployment/x') })
  t.equal((await cli(['check', 'wfe.yaml', '--dry-run=false', '--no-print-mutated'], { cwd })).code, 0)
  const env = await cli(['serve'], { cwd, env: { WFE_EVENTS: 'yes' } })
  t.equal(env.code, 2)
  t.equal(env.stderr, 'wfe-admission serve: $WFE_EVENTS: invalid value "yes": must be true, false, 1 or 0 (it sets --events)\n')
  const help = await cli(['check', '--help'])
  t.equal(help.code, 0)
  t.notMatch(help.stdout, /\(default \)/)
  t.match(help.stdout, /^ {6}--subresource VALUE +with --old: /m)
})

t.test('5. errors that say what to do', async (t) => {
  const cwd = t.testdir({ 'wfe.yaml': WFE })
  const flag = await cli(['check', 'wfe.yaml', '--outptu', 'json'], { cwd })
  t.equal(flag.code, 2)
  t.equal(flag.stderr, 'wfe-admission check: unknown flag --outptu; did you mean --output? (see wfe-admission check --help)\n')
  const missing = await cli(['check', '--old', 'stored.yaml', 'wfe.yaml'], { cwd })
  t.equal(missing.code, 2)
  t.equal(missing.stderr, 'wfe-admission check: --old: the path "stored.yaml" does not exist\n')
  const yaml = await cli(['review', 'wfe.yaml'], { cwd })
  t.equal(yaml.code, 2)
  t.equal(
    yaml.stderr,
    'wfe-admission review: wfe.yaml: not JSON but a YAML WorkflowExecution; review reads one AdmissionReview (JSON); to check manifests run: wfe-admission check wfe.yaml\n',
  )
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  t.teardown(() => holder.close())
  const port = (holder.address() as { port: number }).port
  const busy = await cli(
    [
      'serve',
      '--dev-certs',
      '--bind-address',
      '127.0.0.1',
      '--port',
      String(port),
      '--probe-port',
      '0',
      '--log-level',
      'silent',
      '--no-events',
    ],
    { cwd },
  )
  t.equal(busy.code, 2)
  t.equal(
    busy.stderr,
    `wfe-admission serve: cannot listen on 127.0.0.1:${port} (--port): port ${port} is already in use; stop what holds it or choose another port with --port (or $WFE_PORT)\n`,
  )
  const clientCa = await cli(['serve', '--client-ca', 'nope.crt', '--port', '0', '--probe-port', '0', '--log-level', 'silent'], { cwd })
  t.equal(clientCa.code, 2)
  t.equal(
    clientCa.stderr,
    'wfe-admission serve: --client-ca: the path "nope.crt" does not exist; it is the CA that signed the kube-apiserver\'s client certificate: make one with `wfe-admission certs --out DIR --client kube-apiserver`, then pass --client-ca DIR/ca.crt\n',
  )
  writeFileSync(
    join(cwd, 'certs', 'tls.key'),
    (await cli(['certs', '--out', 'other', '--new-ca'], { cwd })).code === 0
      ? (await import('node:fs')).readFileSync(join(cwd, 'other', 'tls.key'))
      : '',
  )
  const mismatch = await cli(['serve', '--port', '0', '--probe-port', '0', '--log-level', 'silent'], { cwd })
  t.equal(mismatch.code, 2)
  t.equal(
    mismatch.stderr,
    'wfe-admission serve: --cert-dir certs: tls.key is not the private key of tls.crt (they are from different pairs); make a matching pair with `wfe-admission certs --out certs`\n',
  )
  const lone = t.testdir({ certs: { 'tls.crt': 'keep me\n' } })
  const dev = await cli(['serve', '--dev-certs', '--port', '0', '--probe-port', '0'], { cwd: lone })
  t.equal(dev.code, 2)
  t.equal(
    dev.stderr,
    'wfe-admission serve: --dev-certs: certs/tls.crt exists but certs/tls.key does not; not overwriting: restore it, or remove it, or make a pair with `wfe-admission certs --out certs`\n',
  )
})

t.test('6. --version, version; --warnings-as-errors names the warning', async (t) => {
  const { version } = JSON.parse((await import('node:fs')).readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  for (const argv of [['--version'], ['version']]) {
    const r = await cli(argv)
    t.equal(r.code, 0)
    t.equal(r.stdout, `wfe-admission ${version}\n`)
  }
  const cwd = t.testdir({
    'wfe.yaml': WFE.replace('"team-a//x"', 'team-a/Deployment/x').replace('  executionConfig: {timeout: 30m}\n', ''),
  })
  const strict = await cli(['check', 'wfe.yaml', '--warnings-as-errors'], { cwd })
  t.equal(strict.code, 1)
  t.equal(
    strict.stderr,
    'wfe-admission check: note: target blocks were not evaluated (no --cluster-state): pass --cluster-state FILE from `kubectl get workflowexecutions.kubernaut.ai -A -o yaml` to judge CREATEs against the blocks in force, or --target-blocks=off to silence this\n' +
      'wfe-admission check: --warnings-as-errors: this warning fails the run: wfe.yaml:6:1: team-a/wfe-ci: spec.executionConfig.timeout: defaulted to "30m0s" (no timeout was set) [execution-timeout-default]\n',
  )
})

t.test('7. SIGINT: exits without the drain delay (an hour here), after in-flight reviews', async (t) => {
  const cwd = t.testdir({})
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--dev-certs', '--bind-address', '127.0.0.1', '--port', '0', '--probe-port', '0', '--drain-delay', '1h', '--no-events'],
    { cwd, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  t.teardown(() => child.kill('SIGKILL'))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  const msgs: string[] = []
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = String((JSON.parse(line) as { msg?: unknown }).msg)
      msgs.push(msg)
      if (msg === 'wfe-admission serving') resolve()
    })
    void exited.then(() => reject(new Error('serve exited before serving')))
  })
  child.kill('SIGINT')
  t.same(await exited, { code: 0, signal: null }, 'a clean exit, not killed')
  t.same(msgs.slice(-3), [
    'SIGINT: no drain delay; closing once in-flight reviews are answered',
    'shutdown: readiness false, draining',
    'shutdown complete',
  ])
})

t.test('9. the README documents every flag --help lists', async (t) => {
  const readme = (await import('node:fs')).readFileSync(join(ROOT, 'README.md'), 'utf8')
  for (const cmd of ['serve', 'review', 'check', 'certs']) {
    const help = await cli([cmd, '--help'])
    for (const [, flag] of help.stdout.matchAll(/^ {2}(?:-\w, | {4})(--[\w-]+)/gm)) t.match(readme, `\`${flag}\``, `${cmd} ${flag}`)
  }
})
