// `npm run bench:blocks`: the block index at scale, against the real kube-apiserver of the loopback
// control plane (test/cluster). Fills it with BENCH_BLOCKS_N WorkflowExecutions (100,000 by default;
// 1 % failed during execution, 10 % Completed, ten executions per target), then, in a fresh process
// (bench/blocks-child.ts): index sync time from the paginated LIST, the index's extra RSS after GC,
// and admit() on a CREATE with the index full and empty. Targets: synced ≤ 15 s, ≤ 40 MiB extra,
// admit() independent of N, total RSS ≤ 75 % of the chart's 256 MiB limit.
import { execFile } from 'node:child_process'
import { Agent, request } from 'node:https'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCluster } from '../test/cluster/main.js'
import { kubectlOrThrow } from '../test/cluster/kubectl.js'
import { ROOT } from '../test/cluster/tools.js'
import { aFailedExecution, aWorkflowExecution } from '../test/helpers/objects.js'
import { MiB, rssOf } from './rss.js'
import { memoryLimitBytes, spawnServe } from './serve-process.js'

const N = Number(process.env['BENCH_BLOCKS_N'] ?? 100_000)
const NAMESPACES = 10
const CONCURRENCY = 24

type Send = (method: 'POST' | 'PATCH', path: string, body: unknown) => Promise<void>

async function client(kubeconfigPath: string, server: string): Promise<Send> {
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  const opts: { ca?: Buffer; cert?: Buffer; key?: Buffer; headers?: Record<string, string> } = {}
  await kc.applyToHTTPSOptions(opts)
  const agent = new Agent({ ca: opts.ca, cert: opts.cert, key: opts.key, keepAlive: true, maxSockets: CONCURRENCY })
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body)
      const r = request(
        `${server}${path}`,
        {
          method,
          agent,
          headers: {
            ...opts.headers,
            'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
            'content-length': Buffer.byteLength(text),
          },
        },
        (res) => {
          let out = ''
          res.on('data', (c: Buffer) => (out += c.toString()))
          res.on('end', () =>
            (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode} ${out.slice(0, 300)}`)),
          )
        },
      )
      r.on('error', reject)
      r.end(text)
    })
}

function objectFor(i: number): { namespace: string; name: string; body: unknown; status?: unknown } {
  const namespace = `bench-${i % NAMESPACES}`
  const name = `wfe-${i}`
  const target = `bench-0/Deployment/t-${i % Math.max(1, Math.floor(N / 10))}`
  const body = aWorkflowExecution((w) => {
    w.metadata = { name, namespace }
    w.spec.targetResource = target
    w.spec.executionConfig = { timeout: '30m0s' }
  })
  if (i % 100 === 0) return { namespace, name, body, status: aFailedExecution().status }
  if (i % 10 === 5) return { namespace, name, body, status: { phase: 'Completed', completionTime: '2026-11-25T09:05:00Z' } }
  return { namespace, name, body }
}

async function fill(send: Send): Promise<number> {
  const t0 = performance.now()
  let next = 0
  let done = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < N; i = next++) {
      const o = objectFor(i)
      const base = `/apis/kubernaut.ai/v1alpha1/namespaces/${o.namespace}/workflowexecutions`
      await send('POST', base, o.body)
      if (o.status !== undefined) await send('PATCH', `${base}/${o.name}/status`, { status: o.status })
      if (++done % 10_000 === 0) console.error(`bench:blocks: ${done}/${N} stored (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return performance.now() - t0
}

function child(kubeconfig: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench/blocks-child.ts'), kubeconfig],
      { cwd: ROOT, maxBuffer: 1 << 20, timeout: 600_000 },
      (err, stdout, stderr) =>
        err === null
          ? resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>)
          : reject(new Error(`${err.message}\n${stderr}`)),
    )
  })
}

async function main(): Promise<void> {
  console.log(
    `bench:blocks: ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, node ${process.version}; N = ${N}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  const dir = await mkdtemp(join(tmpdir(), 'wfe-bench-blocks-'))
  const cluster = await startCluster({ dir, webhook: false, reset: false, log: (l) => console.error(`bench:blocks: ${l}`) })
  try {
    const { kubectl, kubeconfig, server } = cluster.info
    await kubectlOrThrow(kubectl, kubeconfig, ['apply', '-k', join(ROOT, 'manifests/crd')])
    await kubectlOrThrow(kubectl, kubeconfig, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/workflowexecutions.kubernaut.ai',
    ])
    for (let n = 0; n < NAMESPACES; n++) await kubectlOrThrow(kubectl, kubeconfig, ['create', 'namespace', `bench-${n}`])
    const fillMs = await fill(await client(kubeconfig, server))
    const r = await child(kubeconfig)
    // The built server as the Deployment runs it (its Node flags), ready only once its index is synced.
    const serve = await spawnServe(dir, 'blocks', ['--kubeconfig', kubeconfig, '--events=false'], 300_000)
    const serveRss = rssOf(serve.child.pid)
    await serve.stop()
    const limit = memoryLimitBytes()
    const rows: [string, string, string, boolean][] = [
      ['index sync (paginated LIST, 500 per page)', `${(r['syncMs']! / 1000).toFixed(2)} s`, '≤ 15 s', r['syncMs']! <= 15_000],
      [
        'extra RSS of index + watch keys (after GC)',
        `${(r['extraRssBytes']! / MiB).toFixed(1)} MiB (heap ${(r['extraHeapBytes']! / MiB).toFixed(1)} MiB)`,
        '≤ 40 MiB',
        r['extraRssBytes']! <= 40 * MiB,
      ],
      ['serve: spawn to ready (index synced)', `${(serve.readyMs / 1000).toFixed(2)} s`, '', true],
      [
        'serve RSS when ready, index full',
        `${(serveRss / MiB).toFixed(0)} MiB`,
        `≤ ${((0.75 * limit) / MiB).toFixed(0)} MiB (75 % of the limit)`,
        serveRss <= 0.75 * limit,
      ],
      ['admit() CREATE, blocked target, index full', `${(r['admitBlockedNsFull']! / 1000).toFixed(1)} µs`, '', true],
      ['admit() CREATE, free target, index full', `${(r['admitFreeNsFull']! / 1000).toFixed(1)} µs`, 'same as empty (O(1))', true],
      ['admit() CREATE, free target, index empty', `${(r['admitFreeNsEmpty']! / 1000).toFixed(1)} µs`, '', true],
      ['admit() CREATE, no index', `${(r['admitNoViewNs']! / 1000).toFixed(1)} µs`, '', true],
    ]
    console.log(`filled ${N} WorkflowExecutions in ${(fillMs / 1000).toFixed(0)} s; ${r['blockedTargets']} blocked targets in the index`)
    for (const [what, value, target, pass] of rows)
      console.log(`${what.padEnd(46)} ${value.padEnd(32)} ${target.padEnd(34)} ${target === '' ? '' : pass ? 'PASS' : 'MISS'}`)
  } finally {
    await cluster.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:blocks: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  },
)
