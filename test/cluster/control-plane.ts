// etcd + kube-apiserver + kube-controller-manager on 127.0.0.1, state in one folder: RBAC on, the
// admission webhook plugins on with a client certificate for webhooks, a service-account issuer (so
// TokenRequest works), an audit policy writing DIR/logs/audit.log (Metadata for kubernaut.ai writes,
// as docs/audit.md asks operators to configure), and the real garbage collector and namespace
// controller, each with its own ServiceAccount identity. No scheduler: nothing here runs pods.
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { answers200, ClusterError, loopbackPort, startProcess, waitUntil, type Managed } from './processes.js'
import { admissionConfiguration, kubeconfig, webhookKubeconfig, writePki, type Pki } from './pki.js'

export interface ControlPlaneOptions {
  dir: string
  tools: string
  apiserverPort?: number
  /** Ports whose webhooks get the apiserver's client certificate; free ones are picked if absent. */
  webhookPorts?: number
  log?: (line: string) => void
}

export interface ControlPlane {
  dir: string
  server: string
  kubeconfig: string
  kubectl: string
  pki: Pki
  /** Loopback ports the apiserver presents its webhook client certificate to, first one for the main server. */
  webhookPorts: number[]
  processes: Managed[]
  stop(): Promise<void>
}

const STATE = 'state.json'

/** What docs/audit.md asks operators to add: every kubernaut.ai write at Metadata (user, verb, code, the webhooks' audit annotations). */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    resources:
      - group: kubernaut.ai
        resources: ["workflowexecutions", "workflowexecutions/status"]
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: None
`

/** Refuses a folder that holds another run's state, naming what to do, instead of reusing it silently. */
export async function claimDir(dir: string, reset: boolean): Promise<void> {
  const state = join(dir, STATE)
  if (existsSync(state)) {
    const { pids = [] } = JSON.parse(await readFile(state, 'utf8').catch(() => '{}')) as { pids?: number[] }
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })
    if (alive.length > 0)
      throw new ClusterError(
        `a control plane is already running in ${dir} (pids ${alive.join(', ')}); stop it first or choose another --dir`,
      )
    if (!reset)
      throw new ClusterError(
        `${dir} holds the state of an earlier run (etcd data, certificates); pass --reset to wipe it or choose another --dir`,
      )
  }
  if (reset) {
    for (const name of ['etcd', 'pki', 'logs', 'webhook-certs', STATE, 'ready', 'kubeconfig', 'cluster.json'])
      await rm(join(dir, name), { recursive: true, force: true })
  } else if (existsSync(join(dir, 'etcd'))) {
    throw new ClusterError(`${dir}/etcd holds data from an earlier run; pass --reset to wipe it or choose another --dir`)
  }
  await mkdir(join(dir, 'logs'), { recursive: true })
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? (() => {})
  const { dir, tools } = opts
  const apiPort = await loopbackPort(opts.apiserverPort, '--apiserver-port')
  const etcdPort = await loopbackPort()
  const peerPort = await loopbackPort()
  const webhookPorts = [
    await loopbackPort(opts.webhookPorts, '--webhook-port'),
    await loopbackPort(),
    await loopbackPort(),
    await loopbackPort(),
  ]
  const pki = await writePki(join(dir, 'pki'))
  const server = `https://127.0.0.1:${apiPort}`
  await writeFile(join(dir, 'pki', 'webhook-kubeconfig.yaml'), webhookKubeconfig(pki, webhookPorts))
  await writeFile(join(dir, 'pki', 'admission.yaml'), admissionConfiguration(join(dir, 'pki', 'webhook-kubeconfig.yaml')))
  const processes: Managed[] = []
  const stop = async (): Promise<void> => {
    for (const p of [...processes].reverse()) await p.stop()
    await rm(join(dir, STATE), { force: true })
  }
  try {
    log(`etcd on 127.0.0.1:${etcdPort}`)
    const peer = `http://127.0.0.1:${peerPort}`
    processes.push(
      startProcess(
        'etcd',
        join(tools, 'etcd'),
        [
          '--name=default',
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=default=${peer}`,
          // A throw-away store: durability is not worth the fsync cost on a shared disk.
          '--unsafe-no-fsync',
          '--log-level=warn',
        ],
        join(dir, 'logs', 'etcd.log'),
      ),
    )
    await writeFile(join(dir, STATE), JSON.stringify({ pids: processes.map((p) => p.child.pid) }))
    await writeFile(join(dir, 'pki', 'audit-policy.yaml'), AUDIT_POLICY)
    log(`kube-apiserver on ${server}`)
    const apiserver = startProcess(
      'kube-apiserver',
      join(tools, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'pki', 'apiserver-generated')}`,
        `--tls-cert-file=${pki.file('apiserver.crt')}`,
        `--tls-private-key-file=${pki.file('apiserver.key')}`,
        `--client-ca-file=${pki.file('ca.crt')}`,
        '--authorization-mode=RBAC',
        `--admission-control-config-file=${join(dir, 'pki', 'admission.yaml')}`,
        '--enable-admission-plugins=NamespaceLifecycle,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.file('sa.pub')}`,
        `--service-account-signing-key-file=${pki.file('sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/24',
        '--endpoint-reconciler-type=none',
        `--audit-policy-file=${join(dir, 'pki', 'audit-policy.yaml')}`,
        `--audit-log-path=${join(dir, 'logs', 'audit.log')}`,
        '--audit-log-format=json',
        '--audit-log-maxbackup=1',
        '--profiling=false',
        '--v=1',
      ],
      join(dir, 'logs', 'kube-apiserver.log'),
    )
    processes.push(apiserver)
    await writeFile(join(dir, STATE), JSON.stringify({ pids: processes.map((p) => p.child.pid) }))
    await waitUntil(
      'the apiserver answered /readyz',
      () => answers200(`${server}/readyz`, { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key }),
      { timeoutMs: 180_000, process: apiserver },
    )
    const config = join(dir, 'kubeconfig')
    await writeFile(config, kubeconfig(server, pki.ca.cert, pki.admin), { mode: 0o600 })
    log('kube-controller-manager (garbage collector, namespace controller)')
    // It connects as cluster-admin only to mint each controller's own ServiceAccount token
    // (--use-service-account-credentials), so the garbage collector deletes as
    // system:serviceaccount:kube-system:generic-garbage-collector, as in a real cluster.
    processes.push(
      startProcess(
        'kube-controller-manager',
        join(tools, 'kube-controller-manager'),
        [
          `--kubeconfig=${config}`,
          `--authentication-kubeconfig=${config}`,
          `--authorization-kubeconfig=${config}`,
          '--controllers=garbagecollector,namespace',
          '--use-service-account-credentials=true',
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${await loopbackPort()}`,
          `--cert-dir=${join(dir, 'pki', 'kcm-generated')}`,
          '--concurrent-gc-syncs=5',
          '--v=1',
        ],
        join(dir, 'logs', 'kube-controller-manager.log'),
      ),
    )
    await writeFile(join(dir, STATE), JSON.stringify({ pids: processes.map((p) => p.child.pid) }))
    return { dir, server, kubeconfig: config, kubectl: join(tools, 'kubectl'), pki, webhookPorts, processes, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
