// `npm run cluster` as the README documents it (issue 21): its own control plane with the webhook,
// the example users acting as Kubernaut operators (not cluster-admin, not forbidden), and a stop by
// SIGTERM to the launcher's whole process group, as a terminal's Ctrl-C or a CI runner sends it. The
// children are in groups of their own, so only the launcher gets it, and it stops them in order:
// wfe-admission, kube-controller-manager, kube-apiserver, etcd. Nothing here measures time: the bound on the wait for the exit
// is the 10 s, a hang guard, not a speed claim.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../cluster/tools.js'
import { launchCluster } from './launcher.js'
import { runKubectl } from '../cluster/kubectl.js'

const dir = await mkdtemp(join(tmpdir(), 'wfe-cluster-stop-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

t.test(
  'npm run cluster --webhook: example users are operators; SIGTERM to the group stops webhook, controller-manager, apiserver, etcd in order',
  async (t) => {
    const launcher = await launchCluster(t, dir, '--webhook')
    const kubectl = join(dir, 'kubectl')
    const kubeconfig = join(dir, 'kubeconfig')

    for (const user of ['alice@example.com', 'bob@kubernaut.ai']) {
      const can = await runKubectl(
        kubectl,
        kubeconfig,
        ['auth', 'can-i', 'patch', 'workflowexecutions.kubernaut.ai', '--subresource=status'],
        {
          as: user,
        },
      )
      t.equal(can.stdout.trim(), 'yes', `${user} may patch WorkflowExecution status, as an operator does`)
      const admin = await runKubectl(kubectl, kubeconfig, ['auth', 'can-i', 'delete', 'nodes'], { as: user })
      t.equal(admin.stdout.trim(), 'no', `${user} is not cluster-admin`)
    }
    // Activity through the webhook as the example user (the case that used to make the stop take 30 s).
    const dry = await runKubectl(kubectl, kubeconfig, ['create', '--dry-run=server', '-f', '-', '-o', 'yaml'], {
      as: 'alice@example.com',
      input: readFileSync(join(ROOT, 'examples/valid/defaulted-timeout.yaml'), 'utf8').replace(
        'namespace: kubernaut-system',
        'namespace: default',
      ),
    })
    t.equal(dry.code, 0, `alice may create, and the webhooks allow it: ${dry.stderr}`)
    t.match(dry.stderr, /Warning: spec\.executionConfig\.timeout: defaulted to "30m0s"/, 'the mutating webhook answered alice')

    const how = await launcher.stop()
    t.equal(how, 0, 'the launcher stopped everything and exited 0 within the bound')
    const order = [...launcher.stderr().matchAll(/^cluster: stopped (\S+) \((.*)\)$/gm)].map((m) => [m[1], m[2]])
    t.same(
      order.map(([name]) => name),
      ['wfe-admission', 'kube-controller-manager', 'kube-apiserver', 'etcd'],
      'stopped in order',
    )
    // etcd re-raises SIGTERM after its own shutdown; what must never show is SIGKILL after a grace period.
    for (const [name, exit] of order)
      t.match(exit, /^(exit 0|SIGTERM)$/, `${name ?? ''} ended on its SIGTERM (${exit ?? ''}), not killed after the grace period`)
    t.notOk(existsSync(join(dir, 'ready')), 'DIR/ready is gone')
  },
)
