// The transcript's pieces: readable -p bodies that are still valid JSON, one patch operation per line,
// wrapped notes, and color codes only on request.
import t from 'tap'
import { compactJson, formatPatch, kubectlCommand, style, wrap } from '../../demo/transcript.js'
import type { Step } from '../../demo/scenario.js'
import { CONTROLLER } from '../../demo/scenario.js'

t.test('compactJson: one line when it fits, one key per line when not, always the same JSON', async (t) => {
  t.equal(compactJson({ status: { phase: 'Pending' } }), '{"status":{"phase":"Pending"}}')
  const big = { status: { phase: 'Failed', failureDetails: { reason: 'TaskFailed', message: 'x'.repeat(60), wasExecutionFailure: true } } }
  const text = compactJson(big, '  ', 60)
  t.same(JSON.parse(text), big)
  t.ok(text.split('\n').length > 3)
  t.match(text, /^\{\n {4}"status": \{\n {6}"phase": "Failed",/)
})

t.test('formatPatch: one operation per line, op and path first', async (t) => {
  t.equal(formatPatch([], ''), '[]')
  t.equal(
    formatPatch(
      [
        { op: 'add', path: '/a', value: { b: 1 } },
        { op: 'remove', path: '/c' },
      ],
      '  ',
    ),
    '  [\n    { "op": "add", "path": "/a", "value": {"b":1} },\n    { "op": "remove", "path": "/c" }\n  ]',
  )
})

t.test('kubectlCommand: patch with --subresource and --dry-run=server; an explicit command kept', async (t) => {
  const step: Step = {
    id: 'x',
    title: 'x',
    user: CONTROLLER,
    expect: 'ALLOWED',
    dryRun: true,
    write: { kind: 'patch', name: 'w', namespace: 'ns', subresource: 'status', patch: { status: { phase: 'Running' } } },
  }
  t.equal(
    kubectlCommand(step),
    `kubectl patch workflowexecution w -n ns --subresource=status --type=merge --dry-run=server \\\n      -p '{"status":{"phase":"Running"}}'`,
  )
  t.equal(
    kubectlCommand({ ...step, kubectl: 'kubectl annotate workflowexecution w k=v' }),
    'kubectl annotate workflowexecution w k=v --dry-run=server',
  )
})

t.test('wrap: no line past the width, no word lost', async (t) => {
  const text = 'the quick brown fox jumps over the lazy dog '.repeat(5).trim()
  const out = wrap(text, '  ', 30)
  for (const line of out.split('\n')) t.ok(line.length <= 30 && line.startsWith('  '), line)
  t.equal(out.replace(/\s+/g, ' ').trim(), text)
})

t.test('colors only when asked for', async (t) => {
  t.equal(style(false).red('DENIED'), 'DENIED')
  t.equal(style(true).red('DENIED'), '\u001b[31mDENIED\u001b[39m')
  t.equal(style(true).bold('x'), '\u001b[1mx\u001b[22m')
})
