// `wfe-admission check` against the real kube-apiserver where issue 13 changed what check says:
// a kubernaut.ai kind or version the CRD does not serve is refused by both (kubectl: "no matches for
// kind"), and an UPDATE checked with --old gets the verdict the apiserver gives the same replace.
import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../cluster/tools.js'
import { USERS, create, kubectl, namespace, wfe } from './harness.js'

const ns = await namespace('e2e-cli')

function check(argv: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, 'dist/cli/main.js'), 'check', ...argv],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? -1), stdout, stderr })
      },
    )
    child.stdin?.end(stdin)
  })
}

for (const [what, apiVersion, kind] of [
  ['a typo in the kind', 'kubernaut.ai/v1alpha1', 'WorkflowExecutions'],
  ['a version the CRD does not serve', 'kubernaut.ai/v1beta1', 'WorkflowExecution'],
] as const) {
  t.test(`${what}: the apiserver has no such kind, and check says so instead of skipping it`, async (t) => {
    const doc = { ...wfe(ns, 'unserved'), apiVersion, kind }
    // --validate=false: kubectl's client-side schema check would first list CRDs, which these users may not.
    const real = await kubectl(['create', '--dry-run=server', '--validate=false', '-f', '-'], {
      input: JSON.stringify(doc),
      as: USERS.orchestrator,
    })
    t.not(real.code, 0, 'kubectl fails')
    t.match(real.stderr, `no matches for kind "${kind}" in version "${apiVersion}"`)
    const ours = await check(['-'], JSON.stringify(doc))
    t.equal(ours.code, 1, 'check fails too')
    t.match(ours.stdout, `no matches for kind "${kind}" in version "${apiVersion}"`)
    t.match(ours.stdout, '[unserved-kind]')
  })
}

t.test('an UPDATE with --old: check gives the verdict the apiserver gives the same replace', async (t) => {
  const stored = wfe(ns, 'stored')
  t.equal((await create(stored, { as: USERS.orchestrator })).code, 0)
  const changed = wfe(ns, 'stored', (w) => {
    w.spec.targetResource = 'payment/Deployment/other'
  })
  const real = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(changed), as: USERS.alice })
  t.not(real.code, 0, 'the apiserver refuses the spec change')
  const dir = t.testdir({ 'stored.json': JSON.stringify(stored), 'changed.json': JSON.stringify(changed) })
  const ours = await check(['--old', join(dir, 'stored.json'), join(dir, 'changed.json'), '-o', 'json'], '')
  t.equal(ours.code, 1, 'check refuses it too')
  const result = (JSON.parse(ours.stdout) as { results: { operation: string; allowed: boolean }[] }).results[0]
  t.match(result, { operation: 'UPDATE', allowed: false })
})
