import t from 'tap'
import { runCli } from '../helpers/cli.js'

// Every failure here happens before anything listens: flags are checked first.
const cases: [string, string[], RegExp][] = [
  ['bad --default-timeout', ['--default-timeout', '0s'], /--default-timeout: invalid value "0s": must be a Go duration greater than zero/],
  ['--default-timeout that is not a duration', ['--default-timeout', 'soon'], /--default-timeout: invalid value "soon"/],
  ['--port out of range', ['--port', '70000'], /--port: invalid value "70000": must be a port number from 0 to 65535/],
  ['--port not a number', ['--port', 'https'], /--port: "https" is not a number/],
  ['--probe-port fractional', ['--probe-port', '80.5'], /--probe-port: invalid value "80\.5"/],
  ['same port twice', ['--port', '9443', '--probe-port', '9443'], /--port and --probe-port are both 9443/],
  ['--drain-delay not a duration', ['--drain-delay', 'five'], /--drain-delay: invalid value "five": must be a Go duration of zero or more/],
  [
    '--shutdown-timeout zero',
    ['--shutdown-timeout', '0s'],
    /--shutdown-timeout: invalid value "0s": must be a Go duration greater than zero/,
  ],
  ['--log-level unknown', ['--log-level', 'loud'], /--log-level: invalid value "loud": must be one of .*debug/],
  ['--client-allowed-names without --client-ca', ['--client-allowed-names', 'kube-apiserver'], /--client-allowed-names needs --client-ca/],
  [
    'unknown flag',
    ['--prot', '1'],
    /^wfe-admission serve: unknown flag --prot; did you mean --port\? \(see wfe-admission serve --help\)\n$/,
  ],
]

for (const [name, args, message] of cases) {
  t.test(name, async (t) => {
    const r = await runCli(['serve', ...args], { cwd: t.testdir({}) })
    t.equal(r.code, 2, 'exit 2')
    t.match(r.stderr, message)
    t.match(r.stderr, /^wfe-admission serve: /, 'one clear line, no stack')
    t.notMatch(r.stderr, /\n\s+at /)
    t.equal(r.stdout, '')
  })
}

t.test('a positional argument is a usage error', async (t) => {
  const r = await runCli(['serve', 'now'])
  t.equal(r.code, 2)
  t.match(r.stderr, /takes no arguments/)
})

t.test('environment variables are checked like flags', async (t) => {
  const r = await runCli(['serve'], { env: { WFE_DRAIN_DELAY: '-5s' } })
  t.equal(r.code, 2)
  t.match(r.stderr, /--drain-delay: invalid value "-5s"/)
})

t.test('no certificates and no --dev-certs: exit 2 naming the file and how to make one', async (t) => {
  const dir = t.testdir({ certs: {} })
  const r = await runCli(['serve', '--port', '0', '--probe-port', '0'], { cwd: dir })
  t.equal(r.code, 2)
  t.match(r.stderr, /tls\.(crt|key)/)
  t.match(r.stderr, /wfe-admission certs --out certs`, or pass --dev-certs/)
})

t.test('--help lists the serve flags and exits 0', async (t) => {
  const r = await runCli(['serve', '--help'])
  t.equal(r.code, 0)
  for (const flag of ['--port', '--probe-port', '--cert-dir', '--dev-certs', '--drain-delay', '--shutdown-timeout', '--default-timeout'])
    t.match(r.stdout, flag)
})

t.test('a broken --policy rule stops start-up, naming the rule and the CEL error', async (t) => {
  const dir = t.testdir({
    'policy.yaml':
      'rules:\n  - id: my-broken-rule\n    operations: [CREATE]\n    expression: "object.spec.confidence >"\n    message: never\n    fieldPath: spec.confidence\n    severity: deny\n',
  })
  const r = await runCli(['serve', '--policy', 'policy.yaml', '--port', '0', '--probe-port', '0'], { cwd: dir })
  t.equal(r.code, 2)
  t.match(
    r.stderr,
    /^wfe-admission serve: the policy has a problem; nothing was started:\n {2}policy\.yaml:2: rule "my-broken-rule" \(rules\[0\]\): expression: CEL: /,
  )
  t.equal(r.stdout, '')
})
