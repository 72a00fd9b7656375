// Issue 20 against the real kube-apiserver: an execution failure blocks every new execution of its
// target (any spelling of the kind), a pre-execution failure does not (and backs off when asked),
// alice clears with `wfe-admission clear`, `blocks` shows it before and after, and `check
// --cluster-state` judges as the cluster does.
import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { USERS, create, eventually, get, kubectlOk, namespace, wfe } from './harness.js'
import { cli, execution, extraReplica, verdictFor } from './block-helpers.js'

const ns = await namespace('e2e-blocks')
const target = (name: string): string => `${ns}/Deployment/${name}`
const REASON = 'the node pool was replaced and a manual restart of api succeeded'

/** Waits until the webhook refuses a dry-run CREATE for `to` (its watch has seen the block). */
function refusedEventually(to: string) {
  return eventually(`a CREATE for ${to} refused`, async () => {
    const r = await verdictFor(ns, to)
    return r.code !== 0 ? r : undefined
  })
}

t.test(
  'an execution failure blocks its target: refused with the message, a case variant too; another target and a pre-execution failure do not',
  async (t) => {
    await execution(ns, 'failed-1', target('api'), 'execution')
    await refusedEventually(target('api'))
    const refused = await create(
      wfe(ns, 'next-1', (w) => {
        w.spec.targetResource = target('api')
      }),
      { as: USERS.orchestrator },
    )
    t.not(refused.code, 0, 'the orchestrator cannot start a new execution')
    const m = refused.stderr
    t.match(m, 'admission webhook "validate.workflowexecution.kubernaut.ai" denied the request')
    t.match(
      m,
      `spec.targetResource: Forbidden: target "${target('api')}" is blocked: WorkflowExecution ${ns}/failed-1 failed during execution at 2026-11-25T09:05:00Z (TaskFailed: The restart task failed after the rollout began.)`,
    )
    t.match(m, `wfe-admission clear failed-1 -n ${ns} --reason "<what you investigated and found>"`)
    t.match(m, `kubectl patch workflowexecution failed-1 -n ${ns} --subresource=status --type=merge`)
    t.match(m, /may not have reached this webhook yet .*: retry/)
    const variant = await create(
      wfe(ns, 'next-2', (w) => {
        w.spec.targetResource = `${ns}/deployment/api`
      }),
      { as: USERS.orchestrator },
    )
    t.not(variant.code, 0, 'deployment = Deployment')
    t.match(variant.stderr, `is blocked: WorkflowExecution ${ns}/failed-1`)
    const other = await create(
      wfe(ns, 'web-1', (w) => {
        w.spec.targetResource = target('web')
      }),
      { as: USERS.orchestrator },
    )
    t.equal(other.code, 0, `another target is admitted: ${other.stderr}`)
    await execution(ns, 'pre-1', target('pre'), 'pre')
    const afterPre = await create(
      wfe(ns, 'pre-2', (w) => {
        w.spec.targetResource = target('pre')
      }),
      { as: USERS.orchestrator },
    )
    t.equal(afterPre.code, 0, `a pre-execution failure does not block: ${afterPre.stderr}`)
  },
)

t.test('with --pre-execution-backoff, a replica refuses a CREATE after a pre-execution failure, saying when to retry', async (t) => {
  const replica = await extraReplica(1, ['--pre-execution-backoff=1h,2h'])
  t.teardown(() => replica.stop())
  const r = await eventually('the backing-off replica answers', async () => {
    const v = await verdictFor(ns, target('pre'))
    return v.code !== 0 && /backing off/.test(v.stderr) ? v : undefined
  })
  t.match(r.stderr, `admission webhook "validate.workflowexecution.replica-1.kubernaut.ai" denied the request`)
  t.match(
    r.stderr,
    `target "${target('pre')}" is backing off: 1 consecutive pre-execution failure, the latest WorkflowExecution ${ns}/pre-1 failed before execution at `,
  )
  t.match(r.stderr, /retry at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in \d+s; --pre-execution-backoff\)/)
})

t.test('blocks before; bad input writes nothing; alice clears with wfe-admission clear; a CREATE is admitted; blocks after', async (t) => {
  const before = await cli(['blocks', '-n', ns])
  t.equal(before.code, 0, before.stderr)
  t.match(before.stdout, /^TARGET\s+EXECUTION\s+STATE\s+REASON\s+FAILED AT\s+AGE\s+SUMMARY\n/)
  t.match(before.stdout, new RegExp(`${target('api')}\\s+${ns}/failed-1\\s+blocked\\s+TaskFailed\\s+2026-11-25T09:05:00Z`))
  t.notMatch(before.stdout, 'pre-1', 'a pre-execution failure blocks nothing')
  const json = JSON.parse((await cli(['blocks', '-A', '-o', 'json'])).stdout) as { items: { target: string }[] }
  t.ok(
    json.items.some((i) => i.target === target('api')),
    'listed across namespaces',
  )

  const short = await cli(['clear', 'failed-1', '-n', ns, '--reason', 'fixed it', '--as', USERS.alice])
  t.equal(short.code, 2)
  t.match(short.stderr, /^wfe-admission clear: --reason: .*clearReason has 2 words, at least 5 are needed.*; nothing written\n$/)
  const unknown = await cli(['clear', 'no-such', '-n', ns, '--reason', REASON, '--as', USERS.alice])
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, `workflowexecution no-such not found in namespace ${ns}`)
  const anonymous = await cli([
    'clear',
    'failed-1',
    '-n',
    ns,
    '--reason',
    REASON,
    '--as',
    'mallory',
    '--as-group',
    'system:unauthenticated',
    '--as-group',
    'system:authenticated',
  ])
  t.equal(anonymous.code, 1, 'a clear the cluster refuses exits 1')
  t.match(anonymous.stderr, /^wfe-admission clear: refused: .*authentication required/)
  t.notOk((await get(ns, 'failed-1')).status.blockClearance, 'nothing written')

  const cleared = await cli(['clear', 'failed-1', '-n', ns, '--reason', REASON, '--as', USERS.alice])
  t.equal(cleared.code, 0, cleared.stderr)
  t.match(cleared.stdout, `workflowexecution ${ns}/failed-1 cleared`)
  t.match(cleared.stdout, `clearedBy:   ${USERS.alice}`)
  t.match(cleared.stdout, 'clearMethod: StatusField')
  t.match(cleared.stdout, `target ${target('api')}: not blocked`)
  await eventually('a CREATE admitted after the clearance', async () =>
    (await verdictFor(ns, target('api'))).code === 0 ? true : undefined,
  )
  const next = await create(
    wfe(ns, 'next-3', (w) => {
      w.spec.targetResource = target('api')
    }),
    { as: USERS.orchestrator },
  )
  t.equal(next.code, 0, next.stderr)

  const after = await cli(['blocks', '-n', ns])
  t.equal(after.code, 0)
  t.equal(after.stdout, '')
  t.equal(after.stderr, `No blocked targets in namespace ${ns}.\n`)
  const all = JSON.parse((await cli(['blocks', '-n', ns, '--all', '-o', 'json'])).stdout) as { items: any[] }
  t.match(all.items, [{ target: target('api'), state: 'cleared', cleared: { by: USERS.alice, reason: REASON, method: 'StatusField' } }])
})

t.test('check --cluster-state judges CREATEs as the cluster does, on the same state', async (t) => {
  await execution(ns, 'failed-2', target('db'), 'execution')
  await refusedEventually(target('db'))
  const dir = t.testdir()
  const state = join(dir, 'state.yaml')
  await writeFile(state, await kubectlOk(['get', 'workflowexecutions.kubernaut.ai', '-A', '-o', 'yaml']))
  const targets = [target('db'), `${ns}/DEPLOYMENT/db`, target('api'), target('pre'), target('fresh')]
  const server: boolean[] = []
  for (const to of targets) server.push((await verdictFor(ns, to)).code === 0)
  const objects = targets.map((to, i) =>
    wfe(ns, `candidate-${i}`, (w) => {
      w.spec.targetResource = to
      w.spec.executionConfig = { timeout: '30m0s' }
    }),
  )
  await writeFile(join(dir, 'new.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }))
  const r = await cli(['check', join(dir, 'new.json'), '--cluster-state', state, '-o', 'json'])
  const ours = (JSON.parse(r.stdout) as { results: { allowed: boolean }[] }).results.map((x) => x.allowed)
  t.same(ours, server, 'the same verdict for each target')
  t.same(server, [false, false, true, true, true], 'blocked, its case variant, cleared, pre-execution failure, never failed')
})
