import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../helpers/cli.js'
import { aRequest, aReview, aWorkflowExecution } from '../helpers/objects.js'
import { decodePatch } from '../helpers/patch.js'

const create = JSON.stringify(aReview(aRequest({ uid: 'rev-1', object: aWorkflowExecution() })))
const old = aWorkflowExecution()
const changed = aWorkflowExecution((w) => {
  w.spec.targetResource = 'payment/Deployment/other'
})
const update = JSON.stringify(aReview(aRequest({ uid: 'rev-2', operation: 'UPDATE', object: changed, oldObject: old })))

t.test('stdin: mutate then validate by default, the AdmissionReview response on stdout, exit 0', async (t) => {
  const r = await runCli(['review'], { stdin: create })
  t.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.equal(out.apiVersion, 'admission.k8s.io/v1')
  t.equal(out.kind, 'AdmissionReview')
  t.equal(out.response.uid, 'rev-1')
  t.equal(out.response.allowed, true)
  t.same(decodePatch(out.response.patch), [{ op: 'add', path: '/spec/executionConfig', value: { timeout: '30m0s' } }])
})

t.test('a file, --webhook validate: no patch; flags reach the core', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'create.json')
  writeFileSync(file, create)
  const v = await runCli(['review', '--webhook', 'validate', file])
  t.equal(v.code, 0)
  t.equal(JSON.parse(v.stdout).response.patch, undefined)
  const m = await runCli(['review', '--webhook', 'mutate', '--default-timeout', '2h', file])
  t.same((decodePatch(JSON.parse(m.stdout).response.patch)[0] as { value?: unknown } | undefined)?.value, { timeout: '2h0m0s' })
  const env = await runCli(['review', '--webhook', 'mutate', file], { env: { WFE_DEFAULT_TIMEOUT: '15m' } })
  t.same((decodePatch(JSON.parse(env.stdout).response.patch)[0] as { value?: unknown } | undefined)?.value, { timeout: '15m0s' })
})

t.test('denied: exit 1 with the denial in the response', async (t) => {
  const r = await runCli(['review'], { stdin: update })
  t.equal(r.code, 1)
  const out = JSON.parse(r.stdout)
  t.equal(out.response.allowed, false)
  t.match(out.response.status.message, /spec is immutable after creation/)
})

t.test('unusable input: exit 2 with a reason on stderr', async (t) => {
  const cases: [string[], string | undefined, RegExp][] = [
    [['review'], '{not json', /stdin: not JSON/],
    [['review'], '{"kind":"Pod"}', /not an AdmissionReview request: kind must be "AdmissionReview"/],
    [
      ['review', '/nonexistent/file.json'],
      undefined,
      /^wfe-admission review: the FILE argument: the path "\/nonexistent\/file\.json" does not exist\n$/,
    ],
    [['review', '--webhook', 'both2'], '{}', /--webhook must be validate, mutate or both/],
    [['review', '--bogus'], '{}', /^wfe-admission review: unknown flag --bogus \(see wfe-admission review --help\)\n$/],
    [
      ['review', '--webhok', 'mutate'],
      '{}',
      /^wfe-admission review: unknown flag --webhok; did you mean --webhook\? \(see wfe-admission review --help\)\n$/,
    ],
    [
      ['review'],
      'apiVersion: kubernaut.ai/v1alpha1\nkind: WorkflowExecution\nmetadata: {name: x}\n',
      /^wfe-admission review: stdin: not JSON but a YAML WorkflowExecution; review reads one AdmissionReview \(JSON\); to check manifests run: wfe-admission check -\n$/,
    ],
    [
      ['review'],
      '{"apiVersion":"kubernaut.ai/v1alpha1","kind":"WorkflowExecution"}',
      /^wfe-admission review: stdin: not an AdmissionReview request: .*; it is a WorkflowExecution manifest: review reads one AdmissionReview \(JSON\); to check manifests run: wfe-admission check -\n$/,
    ],
    [['review', '--default-timeout', 'never'], create, /--default-timeout: invalid value "never"/],
    [['review', 'a.json', 'b.json'], undefined, /takes one FILE/],
  ]
  for (const [argv, stdin, re] of cases) {
    const r = await runCli(argv, stdin === undefined ? {} : { stdin })
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.stderr, re, argv.join(' '))
  }
  const wrongKind = JSON.stringify(aReview(aRequest({ uid: 'rev-3', object: { apiVersion: 'apps/v1', kind: 'Deployment' } })))
  const r = await runCli(['review'], { stdin: wrongKind })
  t.equal(r.code, 2)
  t.equal(JSON.parse(r.stdout).response.status.code, 400)
})

t.test('help and unknown commands', async (t) => {
  t.match((await runCli(['review', '--help'])).stdout, /usage: wfe-admission review/)
  t.match((await runCli(['--help'])).stdout, /commands:/)
  const u = await runCli(['frobnicate'])
  t.equal(u.code, 2)
  t.match(u.stderr, /^wfe-admission: unknown command "frobnicate"\n/)
  const typo = await runCli(['chekc', 'deploy/'])
  t.equal(typo.code, 2)
  t.match(typo.stderr, /^wfe-admission: unknown command "chekc"; did you mean check\?\n/)
})
