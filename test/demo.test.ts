// `npm run demo` as an end-to-end test: the same runDemo() against the real server over HTTPS, with a
// fixed clock so the dry run and the real write can be compared byte for byte; then the script
// itself as a child process, as a newcomer runs it.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { runDemo, type DemoResult, type StepOutcome } from '../demo/run.js'
import { ALICE, CONTROLLER, FORGED_CLEARED_AT, FORGED_CLEARED_BY, REASONS } from '../demo/scenario.js'
import { ANNOTATION_CLEAR, ANNOTATION_CLEAR_AT, ANNOTATION_CLEAR_BY } from '../src/api/workflowexecution.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NOW = new Date('2026-11-25T10:20:30.456Z')
const NOW_RFC3339 = '2026-11-25T10:20:30Z'

let transcript = ''
const result: DemoResult = await runDemo({
  write: (c) => {
    transcript += c
  },
  now: () => NOW,
})

function step(id: string): StepOutcome {
  const s = result.steps.find((x) => x.id === id)
  if (s === undefined) throw new Error(`no step ${id}`)
  return s
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

t.test('every step gets the verdict the story expects', async (t) => {
  t.same(result.failures, [])
  t.equal(result.ok, true)
  const verdicts = Object.fromEntries(result.steps.map((s) => [s.id, s.verdict]))
  t.same(verdicts, {
    '1': 'ALLOWED',
    '2': 'DENIED',
    '3a': 'ALLOWED',
    '3b': 'ALLOWED',
    '3c': 'ALLOWED',
    '4': 'DENIED',
    '5': 'ALLOWED',
    '6': 'DENIED',
    '7.create': 'ALLOWED',
    '7.running': 'ALLOWED',
    '7.failed': 'ALLOWED',
    '7a': 'ALLOWED',
    '7b': 'ALLOWED',
    '8.create': 'ALLOWED',
    '8.running': 'ALLOWED',
    '8.failed': 'ALLOWED',
    '8a': 'ALLOWED',
    '8b': 'ALLOWED',
  })
})

t.test('1: the timeout is defaulted, with a warning', async (t) => {
  const s = step('1')
  t.same(s.result.patch, [{ op: 'add', path: '/spec/executionConfig', value: { timeout: '30m0s' } }])
  t.match(s.result.warnings, [/spec\.executionConfig\.timeout: defaulted to "30m0s"/])
  t.equal(s.result.object?.spec.executionConfig?.timeout, '30m0s', 'stored with the default')
})

t.test('2 and 4: the denials name the rule and come from the validating webhook', async (t) => {
  t.equal(step('2').result.deniedBy, 'validate.workflowexecution.kubernaut.ai')
  t.match(
    step('2').result.message,
    /^admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied the request: spec: Forbidden: spec is immutable/,
  )
  t.match(step('4').result.message, /status\.phase: Invalid value: "Running": phase cannot move from Failed to Running/)
  t.equal(step('2').result.reason, 'Forbidden')
})

t.test('3: routine status writes skip the mutating webhook (its matchCondition) and are validated', async (t) => {
  for (const id of ['3a', '3b', '3c']) {
    t.same(
      step(id).result.calls.map((c) => [c.webhook, c.outcome]),
      [
        ['mutate-status.workflowexecution.kubernaut.ai', 'skipped'],
        ['validate.workflowexecution.kubernaut.ai', 'allowed'],
      ],
      id,
    )
  }
  t.equal(step('3c').result.object?.status?.failureDetails?.wasExecutionFailure, true)
})

t.test('5: the clearance is attributed to alice, not to the forged values', async (t) => {
  const s = step('5')
  t.same(s.shown, { clearReason: REASONS.wfe1, clearedBy: ALICE.username, clearedAt: NOW_RFC3339, clearMethod: 'StatusField' })
  t.notOk(JSON.stringify(s.shown).includes(FORGED_CLEARED_BY))
  t.notOk(JSON.stringify(s.shown).includes(FORGED_CLEARED_AT))
  t.same(s.result.patch, [
    { op: 'add', path: '/status/blockClearance/clearMethod', value: 'StatusField' },
    { op: 'replace', path: '/status/blockClearance/clearedBy', value: ALICE.username },
    { op: 'replace', path: '/status/blockClearance/clearedAt', value: NOW_RFC3339 },
  ])
})

t.test('6: a forged re-attribution is denied as immutable and changes nothing', async (t) => {
  const s = step('6')
  t.match(
    s.result.message,
    /status\.blockClearance: Forbidden: blockClearance is immutable once attributed \(cleared by "alice@kubernaut\.ai"/,
  )
  t.same(s.audit, [])
})

t.test('7: the annotation flow attributes to the operator, and the trusted controller copies it', async (t) => {
  const a = step('7a')
  t.same(a.shown, { [ANNOTATION_CLEAR]: REASONS.wfe2, [ANNOTATION_CLEAR_BY]: ALICE.username, [ANNOTATION_CLEAR_AT]: NOW_RFC3339 })
  const b = step('7b')
  t.equal(b.result.calls[0]?.request?.userInfo.username, CONTROLLER.username, 'the controller made the status write')
  t.same(b.shown, { clearMethod: 'Annotation', clearReason: REASONS.wfe2, clearedBy: ALICE.username, clearedAt: NOW_RFC3339 })
  t.same(b.audit, [], 'the copy is not a second attribution')
})

t.test("8: the dry run gets the real write's verdict and patch, and no audit line", async (t) => {
  const dry = step('8a')
  const real = step('8b')
  t.equal(dry.dryRun, true)
  t.equal(dry.result.calls[0]?.request?.dryRun, true, 'dryRun: true reached the webhook')
  t.same((dry.result.calls[0]?.request?.options as { dryRun?: string[] }).dryRun, ['All'])
  t.equal(dry.verdict, real.verdict)
  t.ok(dry.result.patch.length > 0)
  t.same(dry.result.patch, real.result.patch)
  t.same(dry.audit, [])
  t.equal(real.audit.length, 1)
})

t.test('exactly three audit lines, with every field, from the mutating call that attributed', async (t) => {
  t.same(
    result.audit.map((l) => l.step),
    ['5', '7a', '8b'],
  )
  const expected = [
    { step: '5', name: 'wfe-payment-api-1', method: 'StatusField', reason: REASONS.wfe1, correlationId: 'rr-payment-api-1' },
    { step: '7a', name: 'wfe-payment-api-2', method: 'Annotation', reason: REASONS.wfe2, correlationId: 'rr-payment-api-2' },
    { step: '8b', name: 'wfe-payment-api-3', method: 'StatusField', reason: REASONS.wfe3, correlationId: 'rr-payment-api-3' },
  ]
  for (const [i, line] of result.audit.entries()) {
    const e = expected[i]!
    const stored = step(e.step).result.object
    t.match(
      line.record,
      {
        logger: 'audit',
        event: 'workflowexecution.block.cleared',
        actor: { username: ALICE.username, uid: ALICE.uid, groups: ALICE.groups },
        resource: { namespace: 'kubernaut-system', name: e.name, uid: stored?.metadata.uid },
        reason: e.reason,
        method: e.method,
        clearedAt: NOW_RFC3339,
        correlationId: e.correlationId,
        admissionUid: step(e.step).result.calls[0]?.uid,
      },
      e.step,
    )
    t.equal(typeof stored?.metadata.uid, 'string')
    t.notOk('extra' in (line.record['actor'] as object), 'userInfo.extra is never logged')
    t.notOk(line.raw.includes('credential-id'))
  }
})

t.test('the transcript is plain text with the audit lines, and no operational log lines', async (t) => {
  t.notOk(transcript.includes('\u001b['), 'no color codes unless asked for')
  t.match(transcript, /\$ kubectl annotate workflowexecution wfe-payment-api-2/)
  t.match(transcript, /--dry-run=server/)
  t.match(
    transcript,
    /Error from server \(Forbidden\): admission webhook "validate\.workflowexecution\.kubernaut\.ai" denied the request: spec: Forbidden/,
  )
  t.match(transcript, /Warning: spec\.executionConfig\.timeout: defaulted/)
  t.match(transcript, /\{ "op": "replace", "path": "\/status\/blockClearance\/clearedBy", "value": "alice@kubernaut\.ai" \}/)
  t.match(transcript, /── Audit trail: 3 lines on the "audit" logger/)
  for (const l of result.audit) t.ok(transcript.includes(l.raw), `audit line of step ${l.step} printed`)
  t.ok(
    result.logs.some((l) => l.includes('"msg":"admission denied"')),
    'the server did log its verdicts…',
  )
  t.notOk(transcript.includes('"msg":"admission'), '…but not into the transcript')
})

t.test('the server was stopped: both ports are closed', async (t) => {
  t.equal(result.stopped, true)
  t.ok(result.port > 0 && result.probePort > 0)
  t.equal(await refused(result.port), 'ECONNREFUSED')
  t.equal(await refused(result.probePort), 'ECONNREFUSED')
})

for (const [file, least] of [
  ['docs/demo.md', 50],
  ['README.md', 20],
] as const) {
  t.test(`${file}: every line of its demo excerpt is in the real transcript (times, ports, uids aside)`, async (t) => {
    const doc = readFileSync(`${ROOT}${file}`, 'utf8')
    const excerpt = /```text\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? ''
    const varying = /\d{4}-\d\d-\d\dT\d\d:|127\.0\.0\.1|wfe-demo-|"level":30/
    const lines = excerpt.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '…' && !varying.test(l))
    t.ok(lines.length > least, `${lines.length} lines compared`)
    const actual = new Set(transcript.split('\n'))
    for (const line of lines) if (!actual.has(line)) t.fail(`not in the transcript: ${line}`)
  })
}

t.test('npm run demo: the script as a child process exits 0 with the transcript', async (t) => {
  const run = promisify(execFile)
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: ROOT,
    timeout: 60_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  })
  t.match(stdout, /wfe-admission demo: the life of a WorkflowExecution, over real HTTPS/)
  t.match(stdout, /── 8\. A server-side dry run: --dry-run=server/)
  t.match(stdout, /→ no audit line \(dry run: nothing stored, nothing recorded\)/)
  t.match(stdout, /── Audit trail: 3 lines on the "audit" logger/)
  t.match(stdout, /Every verdict as expected; server stopped\./)
  t.notOk(stdout.includes('\u001b['), 'not a TTY: no color codes')
})
