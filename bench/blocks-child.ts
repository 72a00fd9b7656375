// The measured process of `npm run bench:blocks`: a fresh node that loads the client and the core,
// then syncs a block index from the apiserver through the shared watch (paginated LIST), and times
// admit() on a CREATE with the index full. Reports one JSON line on stdout.
import { performance } from 'node:perf_hooks'
import { pino } from 'pino'
import { createBlockIndex } from '../src/blocks/block-index.js'
import { startSharedWatch } from '../src/watch/start.js'
import { loadKubeConfig } from '../src/kube/config.js'
import { kubeRequest } from '../src/kube/request.js'
import { GROUP, RESOURCE, VERSION } from '../src/api/workflowexecution.js'
import { admit } from '../src/admission/admit.js'
import { compilePolicy } from '../src/policy.js'
import { DEFAULT_ADMISSION_OPTIONS } from '../src/config.js'
import { aRequest, aWorkflowExecution } from '../test/helpers/objects.js'
import type { BlockView } from '../src/api/target-block.js'

const kubeconfigPath = process.argv[2] as string
const gc = (): void => {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.()
}

/** ns per admit() of a CREATE for `target` with `view`, the median of 5 rounds. */
function admitNs(view: BlockView | undefined, target: string): number {
  const policy = compilePolicy({ ...DEFAULT_ADMISSION_OPTIONS, targetBlocks: { ...DEFAULT_ADMISSION_OPTIONS.targetBlocks, view } })
  const request = aRequest({
    object: aWorkflowExecution((w) => {
      w.spec.targetResource = target
      w.spec.executionConfig = { timeout: '30m0s' }
    }),
  })
  const rounds: number[] = []
  for (let r = 0; r < 5; r++) {
    const n = 5000
    const t0 = performance.now()
    for (let i = 0; i < n; i++) admit(request, policy, 'both')
    rounds.push(((performance.now() - t0) * 1e6) / n)
  }
  return rounds.sort((a, b) => a - b)[2] as number
}

await import('@kubernetes/client-node')
const warm = createBlockIndex()
warm.synced('0')
admitNs(warm, 'bench-0/Deployment/t-0')
// What the client library loads and compiles on first use (kubeconfig, TLS, the LIST request, the
// Watch) is the process's, not the index's: exercise it on a namespace holding nothing before rss0.
{
  const loaded = await loadKubeConfig({ kubeconfigPath })
  if (loaded === undefined) throw new Error('no API configured')
  const path = `/apis/${GROUP}/${VERSION}/namespaces/bench-warm-up-empty/${RESOURCE}`
  const list = await kubeRequest<{ metadata?: { resourceVersion?: string } }>(loaded.kc, { path: `${path}?limit=1`, timeoutMs: 60_000 })
  const controller = await new loaded.k8s.Watch(loaded.kc).watch(
    path,
    { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
    () => {},
    () => {},
  )
  controller.abort()
}
gc()
const rss0 = process.memoryUsage.rss()
const heap0 = process.memoryUsage().heapUsed
const index = createBlockIndex()
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const watch = await startSharedWatch({
  kubeconfigPath,
  timeoutMs: 120_000,
  logger: pino({ level: 'silent' }),
  subscribers: [index],
})
if (watch === undefined) throw new Error('no API configured')
while (!watch.isSynced()) await new Promise((r) => setTimeout(r, 5))
const syncMs = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
gc()
const rss1 = process.memoryUsage.rss()
const heap1 = process.memoryUsage().heapUsed
const blocked = index.blockedTargets()
const empty = createBlockIndex()
empty.synced('0')
const result = {
  syncMs,
  syncCpuMs: (cpu.user + cpu.system) / 1000,
  extraRssBytes: rss1 - rss0,
  extraHeapBytes: heap1 - heap0,
  blockedTargets: blocked,
  admitBlockedNsFull: admitNs(index, 'bench-0/Deployment/t-0'),
  admitFreeNsFull: admitNs(index, 'bench-0/Deployment/never-failed'),
  admitFreeNsEmpty: admitNs(empty, 'bench-0/Deployment/never-failed'),
  admitNoViewNs: admitNs(undefined, 'bench-0/Deployment/never-failed'),
}
await watch.close()
process.stdout.write(JSON.stringify(result) + '\n')
