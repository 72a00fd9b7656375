// Flags as people type them: booleans in every usual form, environment values checked, typos
// answered with the closest flag, and a --help whose columns line up.
import t from 'tap'
import { NO_CLUSTER_STATE_NOTE } from '../../src/cli/check/cluster-state.js'
import { parseFlags, usage, closestFlag } from '../../src/cli/args.js'
import type { FlagSpec } from '../../src/cli/flags.js'
import { runCli } from '../helpers/cli.js'
import { fx } from './check-run.js'

const FLAGS: FlagSpec[] = [
  { name: 'events', type: 'boolean', env: 'WFE_EVENTS', default: true, commands: ['serve'], description: 'write Events' },
  { name: 'dry-run', type: 'boolean', default: false, commands: ['check'], description: 'dry run' },
  { name: 'output', short: 'o', type: 'string', default: 'text', commands: ['check'], description: 'format' },
  { name: 'subresource', type: 'string', default: '', commands: ['check'], description: 'subresource' },
  { name: 'port', type: 'number', env: 'WFE_PORT', default: 9443, commands: ['serve'], description: 'port' },
]
const parse = (argv: string[], env: Record<string, string> = {}) => parseFlags(argv, FLAGS, env, 'test').values

t.test('booleans: --x, --x=true|false|1|0, --no-x; the last one wins', async (t) => {
  t.equal(parse([])['events'], true, 'default')
  t.equal(parse(['--events=false'])['events'], false)
  t.equal(parse(['--events=0'])['events'], false)
  t.equal(parse(['--no-events'])['events'], false)
  t.equal(parse(['--no-events', '--events'])['events'], true)
  t.equal(parse(['--dry-run'])['dry-run'], true)
  t.equal(parse(['--dry-run=TRUE'])['dry-run'], true)
  t.equal(parse(['--dry-run=1', '--no-dry-run'])['dry-run'], false)
  t.throws(() => parse(['--events=yes']), { message: '--events: invalid value "yes": must be true, false, 1 or 0' })
  t.throws(() => parse(['--no-events=true']), { message: '--no-events takes no value; use --events=true' })
  t.throws(() => parse(['--no-output']), { message: 'unknown flag --no-output; did you mean --output? (see wfe-admission test --help)' })
})

t.test("a string flag's value is taken as written, even when it looks like a flag", async (t) => {
  t.equal(parse(['--output', '--no-events'])['output'], '--no-events')
  t.equal(parse(['-o', 'json', '--events=false'])['output'], 'json')
  t.same(parseFlags(['a', '--', '--events=maybe'], FLAGS, {}, 'test').positionals, ['a', '--events=maybe'])
})

t.test('environment booleans: true/false/1/0 or a start-up error naming the variable', async (t) => {
  t.equal(parse([], { WFE_EVENTS: 'false' })['events'], false)
  t.equal(parse([], { WFE_EVENTS: '0' })['events'], false)
  t.equal(parse([], { WFE_EVENTS: 'True' })['events'], true)
  t.equal(parse(['--events'], { WFE_EVENTS: 'false' })['events'], true, 'the flag wins')
  t.throws(() => parse([], { WFE_EVENTS: 'off' }), {
    message: '$WFE_EVENTS: invalid value "off": must be true, false, 1 or 0 (it sets --events)',
  })
  t.throws(() => parse([], { WFE_PORT: ' ' }), /is not a number/)
})

t.test('unknown flags name the closest valid flag', async (t) => {
  t.equal(closestFlag('prot', FLAGS), 'port')
  t.equal(closestFlag('outptu', FLAGS), 'output')
  t.equal(closestFlag('dryrun', FLAGS), 'dry-run')
  t.equal(closestFlag('kubernetes', FLAGS), undefined, 'nothing close: no guess')
  t.throws(() => parse(['--evnets']), { message: 'unknown flag --evnets; did you mean --events? (see wfe-admission test --help)' })
  t.throws(() => parse(['-x']), { message: 'unknown flag -x (see wfe-admission test --help)' })
})

t.test('--help: aligned columns, no empty default, booleans without a placeholder', async (t) => {
  const text = usage('test [flags]', 'Summary.', FLAGS)
  const rows = text.split('\n').filter((l) => l.startsWith('  '))
  t.same(rows, [
    '      --events             write Events (default true) [$WFE_EVENTS]',
    '      --dry-run            dry run',
    '  -o, --output VALUE       format (default text)',
    '      --subresource VALUE  subresource',
    '      --port N             port (default 9443) [$WFE_PORT]',
    '  -h, --help               print this help and exit',
  ])
  t.notMatch(text, /\(default \)/)
  t.match(text, /Boolean flags also take --FLAG=false and --no-FLAG\.\n$/)
})

t.test('through the CLI: serve and check take the same boolean forms', async (t) => {
  const bad = await runCli(['serve'], { env: { WFE_EVENTS: 'yes' } })
  t.equal(bad.code, 2)
  t.equal(bad.stderr, 'wfe-admission serve: $WFE_EVENTS: invalid value "yes": must be true, false, 1 or 0 (it sets --events)\n')
  const devCerts = await runCli(['serve', '--dev-certs=maybe'])
  t.equal(devCerts.code, 2)
  t.equal(devCerts.stderr, 'wfe-admission serve: --dev-certs: invalid value "maybe": must be true, false, 1 or 0\n')
  const strict = await runCli(['check', fx('multi-doc.yaml'), '--warnings-as-errors=false', '-o', 'json'], { cwd: process.cwd() })
  const loose = await runCli(['check', fx('multi-doc.yaml'), '--no-warnings-as-errors', '-o', 'json'], { cwd: process.cwd() })
  t.equal(strict.stderr, NO_CLUSTER_STATE_NOTE, 'no warning named: the flag is off')
  t.equal(loose.stderr, NO_CLUSTER_STATE_NOTE)
  for (const cmd of ['serve', 'review', 'check', 'certs']) {
    const help = await runCli([cmd, '--help'])
    t.equal(help.code, 0)
    t.notMatch(help.stdout, /\(default \)/, `${cmd} --help`)
    const rows = help.stdout.split('\n').filter((l) => /^ {2}(-\w, | {4})--/.test(l))
    const columns = new Set(rows.map((l) => /^( {2}.*?\S)(  +)\S/.exec(l)?.[0].length))
    t.equal(columns.size, 1, `${cmd} --help: every description starts in one column`)
  }
})
