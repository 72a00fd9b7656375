// `npm run cluster -- [--dir DIR] [--webhook | --chart] [--no-operators] [--reset] [--apiserver-port N] [--webhook-port N]`:
// a throw-away control plane on loopback, in the foreground until SIGINT/SIGTERM. Once the apiserver
// answers it writes DIR/kubeconfig (cluster-admin), DIR/kubectl and DIR/helm; DIR/ready comes last
// (with --webhook or --chart, only after a dry-run create went through both webhooks) and holds
// DIR/cluster.json's facts, so a script can wait for that one file. --webhook installs from
// manifests/; --chart runs `helm install` of charts/wfe-admission (chart.ts), so the release can be
// upgraded and uninstalled.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { claimDir, startControlPlane, type ControlPlane } from './control-plane.js'
import { ClusterError, stopAll } from './processes.js'
import { ensureTools, ROOT, ToolsError } from './tools.js'
import { installWebhook, type InstalledWebhook } from './webhook.js'
import { installChart, type InstalledChart } from './chart.js'
import { EXAMPLE_USERS, grantOperators, OPERATOR_GROUP, OPERATOR_ROLE } from './operators.js'

export interface ClusterInfo {
  dir: string
  server: string
  kubeconfig: string
  kubectl: string
  helm: string
  webhookPorts: number[]
  /** With --chart: the Helm release that installed the webhook. */
  chart?: { release: string; namespace: string; command: string }
  webhook?: {
    url: string
    port: number
    probePort: number
    certDir: string
    caFile: string
    log: string
    clientCa: string
    serverKubeconfig: string
    pid: number
  }
}

export interface RunningCluster {
  info: ClusterInfo
  stop(): Promise<void>
}

export interface ClusterOptions {
  dir: string
  webhook: boolean
  /** Install the webhook with `helm install` of charts/wfe-admission instead of manifests/ (implies webhook). */
  chart?: boolean
  /** Bind the example users to a Kubernaut operator's ClusterRole (operators.ts); off with --no-operators. */
  operators: boolean
  reset: boolean
  apiserverPort?: number
  webhookPort?: number
  log: (line: string) => void
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new ClusterError(`${flag}: invalid value "${value}": must be a port from 1 to 65535`)
  return n
}

/** Builds `dist/` whenever --webhook needs the server (always: a stale dist/ would serve old code); whatever reads dist/ meanwhile must wait. */
function buildServer(log: (line: string) => void): void {
  log('building wfe-admission (npm run build)')
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
}

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const tools = await ensureTools(opts.log)
  await claimDir(opts.dir, opts.reset)
  const cp: ControlPlane = await startControlPlane({
    dir: opts.dir,
    tools,
    apiserverPort: opts.apiserverPort,
    webhookPorts: opts.webhookPort,
    log: opts.log,
  })
  let installed: InstalledWebhook | InstalledChart | undefined
  // The webhook first, then the controller-manager and the apiserver, etcd last (each waited for before the next).
  const stop = async (): Promise<void> => {
    await rm(join(opts.dir, 'ready'), { force: true })
    if (installed !== undefined) {
      await installed.server.stop()
      opts.log(`stopped wfe-admission (${await installed.server.process.exited})`)
    }
    await cp.stop()
  }
  try {
    await rm(join(opts.dir, 'kubectl'), { force: true })
    await symlink(cp.kubectl, join(opts.dir, 'kubectl'))
    await rm(join(opts.dir, 'helm'), { force: true })
    await symlink(join(tools, 'helm'), join(opts.dir, 'helm'))
    const info: ClusterInfo = {
      dir: opts.dir,
      server: cp.server,
      kubeconfig: cp.kubeconfig,
      kubectl: join(opts.dir, 'kubectl'),
      helm: join(opts.dir, 'helm'),
      webhookPorts: cp.webhookPorts,
    }
    if (opts.operators) {
      opts.log(`granting ${EXAMPLE_USERS.join(', ')} and group ${OPERATOR_GROUP} the ${OPERATOR_ROLE} ClusterRole`)
      await grantOperators(cp)
    }
    if (opts.webhook || opts.chart === true) {
      buildServer(opts.log)
      if (opts.chart === true) {
        const chart = await installChart(cp, join(tools, 'helm'), opts.log)
        installed = chart
        info.chart = { release: chart.release, namespace: chart.namespace, command: chart.command }
      } else {
        installed = await installWebhook(cp, opts.log)
      }
      const s = installed.server
      info.webhook = {
        url: `https://127.0.0.1:${s.port}`,
        port: s.port,
        probePort: s.probePort,
        certDir: s.certDir,
        caFile: join(s.certDir, 'ca.crt'),
        log: s.logFile,
        clientCa: cp.pki.file('webhook-client-ca.crt'),
        serverKubeconfig: installed.serverKubeconfig,
        pid: s.process.child.pid ?? 0,
      }
    }
    const json = JSON.stringify(info, null, 2) + '\n'
    await writeFile(join(opts.dir, 'cluster.json'), json)
    await writeFile(join(opts.dir, 'ready'), json)
    return { info, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

async function main(argv: string[]): Promise<number> {
  const log = (line: string): void => {
    process.stderr.write(`cluster: ${line}\n`)
  }
  let cluster: RunningCluster | undefined
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string' },
        webhook: { type: 'boolean', default: false },
        chart: { type: 'boolean', default: false },
        'no-operators': { type: 'boolean', default: false },
        reset: { type: 'boolean', default: false },
        'apiserver-port': { type: 'string' },
        'webhook-port': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    })
    if (values.help) {
      process.stdout.write(
        'usage: npm run cluster -- [--dir DIR] [--webhook | --chart] [--no-operators] [--reset] [--apiserver-port N] [--webhook-port N]\n',
      )
      return 0
    }
    // Flags are checked before a folder is made: a refused run leaves nothing behind.
    const apiserverPort = port(values['apiserver-port'], '--apiserver-port')
    const webhookPort = port(values['webhook-port'], '--webhook-port')
    const dir = values.dir === undefined ? await mkdtemp(join(tmpdir(), 'wfe-cluster-')) : resolve(values.dir)
    // Signals that arrive while starting stop what has started so far, then exit.
    let stopping = false
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) return
      stopping = true
      log(`${sig}: stopping`)
      void (cluster?.stop() ?? stopAll()).finally(() => process.exit(0))
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    cluster = await startCluster({
      dir,
      webhook: values.webhook,
      chart: values.chart,
      operators: !values['no-operators'],
      reset: values.reset,
      log,
      apiserverPort,
      webhookPort,
    })
    if (stopping) {
      await cluster.stop()
      return 0
    }
    log(`ready: kubectl --kubeconfig ${cluster.info.kubeconfig} get wfe -A   (state in ${dir}; Ctrl-C stops everything)`)
    if (cluster.info.chart !== undefined)
      log(
        `installed by ${cluster.info.chart.command}; try ${join(dir, 'helm')} --kubeconfig ${cluster.info.kubeconfig} -n ${cluster.info.chart.namespace} upgrade ${cluster.info.chart.release} charts/wfe-admission --reuse-values --set webhooks.timeoutSeconds=7`,
      )
    process.stdout.write(`${join(dir, 'kubeconfig')}\n`)
    await new Promise(() => {})
    return 0
  } catch (err) {
    const known =
      err instanceof ClusterError ||
      err instanceof ToolsError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    log(known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err))
    return 1
  }
}

const entry = process.argv[1]
if (entry !== undefined && resolve(entry) === resolve(ROOT, 'test/cluster/main.ts')) {
  void main(process.argv.slice(2)).then((code) => process.exit(code))
}
