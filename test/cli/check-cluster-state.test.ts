import t from 'tap'
import { stringify } from 'yaml'
import { runCli } from '../helpers/cli.js'
import { blocked, cleared } from '../blocks/block-fixtures.js'
import { aWorkflowExecution } from '../helpers/objects.js'
import { NO_CLUSTER_STATE_NOTE } from '../../src/cli/check/cluster-state.js'

const next = (target: string) =>
  aWorkflowExecution((w) => {
    w.metadata = { name: `next-${target.replaceAll('/', '-').toLowerCase()}`, namespace: 'payment' }
    w.spec.targetResource = target
    w.spec.executionConfig = { timeout: '30m0s' }
  })

const state = {
  apiVersion: 'v1',
  kind: 'List',
  metadata: { resourceVersion: '' },
  items: [
    blocked({ name: 'wfe-1', namespace: 'payment', target: 'payment/Deployment/api' }),
    cleared({ name: 'wfe-2', namespace: 'payment', target: 'payment/Deployment/web' }),
  ],
}

t.test('--cluster-state: CREATEs judged against the blocks in the List, YAML or JSON, as the server would', async (t) => {
  const cwd = t.testdir({
    'state.yaml': stringify(state),
    'state.json': JSON.stringify({ ...state, kind: 'WorkflowExecutionList', apiVersion: 'kubernaut.ai/v1alpha1' }),
    'new.yaml': [next('payment/deployment/api'), next('payment/Deployment/web'), next('payment/Deployment/other')]
      .map((o) => stringify(o))
      .join('---\n'),
  })
  for (const file of ['state.yaml', 'state.json']) {
    const r = await runCli(['check', 'new.yaml', '--cluster-state', file, '-o', 'json'], { cwd })
    t.equal(r.code, 1, `${file}: the blocked target is denied`)
    t.equal(r.stderr, '', 'no note: target blocks were evaluated')
    const report = JSON.parse(r.stdout)
    t.same(
      report.results.map((x: any) => [x.name, x.allowed, x.findings.map((f: any) => f.ruleId)]),
      [
        ['next-payment-deployment-api', false, ['target-blocked']],
        ['next-payment-deployment-web', true, []],
        ['next-payment-deployment-other', true, []],
      ],
    )
    t.match(
      report.results[0].findings[0].message,
      /WorkflowExecution payment\/wfe-1 failed during execution .*wfe-admission clear wfe-1 -n payment/,
    )
  }
  const without = await runCli(['check', 'new.yaml'], { cwd })
  t.equal(without.code, 0)
  t.equal(without.stderr, NO_CLUSTER_STATE_NOTE)
  const off = await runCli(['check', 'new.yaml', '--target-blocks=off'], { cwd })
  t.equal(off.stderr, '', '--target-blocks=off: nothing to say')
})

t.test('--cluster-state that is not a List, not parsable, or not there: one line, exit 2', async (t) => {
  const cwd = t.testdir({
    'one.yaml': stringify(state.items[0]),
    'bad.yaml': 'kind: [',
    'pod.yaml': stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }] }),
    'new.yaml': stringify(next('payment/Deployment/api')),
  })
  const cases: [string, RegExp][] = [
    [
      'one.yaml',
      /^wfe-admission check: --cluster-state one\.yaml: is a WorkflowExecution, not a List with items: give the output of `kubectl get workflowexecutions\.kubernaut\.ai -A -o yaml`/,
    ],
    ['bad.yaml', /^wfe-admission check: --cluster-state bad\.yaml: not YAML or JSON: /],
    ['pod.yaml', /^wfe-admission check: --cluster-state pod\.yaml: items\[0\] is v1 Pod, not a kubernaut\.ai\/v1alpha1 WorkflowExecution/],
    ['missing.yaml', /^wfe-admission check: --cluster-state: the path ".*missing\.yaml" does not exist/],
  ]
  for (const [file, message] of cases) {
    const r = await runCli(['check', 'new.yaml', '--cluster-state', file], { cwd })
    t.equal(r.code, 2, file)
    t.match(r.stderr, message, file)
    t.equal(r.stderr.split('\n').length, 2, `${file}: one line`)
    t.equal(r.stdout, '', `${file}: no report`)
  }
})
