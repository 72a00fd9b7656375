// Memory bounded by construction (issue 23): the built server, under the Deployment's NODE_OPTIONS,
// is sent four concurrent 20 MiB reviews (Go-escaped, as the apiserver writes the largest ones)
// while ordinary reviews keep arriving. Every answer must be right, and the process's RSS, sampled
// from /proc, must stay within 75 % of the Deployment's memory limit: the review-body budget makes
// the big reviews wait their turn instead of stacking in the heap. A bound, not a timing.
import t, { type Test } from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { answers200, loopbackPort, startProcess, waitUntil } from '../cluster/processes.js'
import { ROOT } from '../cluster/tools.js'
import { call, keepAliveAgent } from '../helpers/https.js'
import { aRequest, aReview, aWorkflowExecution, CONTROLLER } from '../helpers/objects.js'
import { DEPLOYMENT_MEMORY_LIMIT_BYTES, RSS_CEILING_BYTES } from '../../src/server/body-budget.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'

const MiB = 1024 * 1024
const BIG = 20 * MiB

/** NODE_OPTIONS of the shipped Deployment, which the chart must ship too. */
function shippedNodeOptions(t: Test): string {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'manifests/base/deployment.yaml'), 'utf8')).map((d) => d.toJSON())
  const deployment = docs.find((d) => d?.kind === 'Deployment')
  const env = deployment.spec.template.spec.containers[0].env as { name: string; value?: string }[]
  const value = env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? ''
  const chart = parse(readFileSync(join(ROOT, 'charts/wfe-admission/values.yaml'), 'utf8')) as { nodeOptions: string }
  t.equal(chart.nodeOptions, value, 'the chart ships the same NODE_OPTIONS')
  t.match(value, /--max-old-space-size=\d+/)
  return value
}

/** The review as the apiserver sends it: Go's encoder writes `<` as `\u003c`, six bytes. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c')
}

/** A WorkflowExecution whose rationale is `<` repeated until the review is `bytes` long. */
function padded(bytes: number, patch: (w: WorkflowExecution) => void = () => {}): WorkflowExecution {
  return aWorkflowExecution((w) => {
    w.spec.rationale = '<'.repeat(Math.floor(bytes / 6))
    patch(w)
  })
}

interface Case {
  name: string
  path: string
  body: string
  uid: string
  allowed: boolean
  patched: boolean
}

function bigCases(): Case[] {
  const withTimeout = (w: WorkflowExecution): void => {
    w.spec.executionConfig = { timeout: '45m' }
  }
  const old = padded(BIG / 2 - 64 * 1024, withTimeout)
  const changed = structuredClone(old)
  changed.spec.targetResource = 'payment/Deployment/other'
  const pending = { ...old, status: { phase: 'Pending' as const } }
  const running = { ...old, status: { phase: 'Running' as const, executionEngine: 'tekton' as const } }
  const reviews = [
    {
      name: 'CREATE (validate)',
      path: '/validate-workflowexecution',
      allowed: true,
      patched: false,
      r: aRequest({ object: padded(BIG, withTimeout) }),
    },
    {
      name: 'CREATE, timeout defaulted (mutate)',
      path: '/mutate-workflowexecution',
      allowed: true,
      patched: true,
      r: aRequest({ object: padded(BIG) }),
    },
    {
      name: 'UPDATE changing spec (validate)',
      path: '/validate-workflowexecution',
      allowed: false,
      patched: false,
      r: aRequest({ operation: 'UPDATE', object: changed, oldObject: old }),
    },
    {
      name: 'UPDATE of status (validate)',
      path: '/validate-workflowexecution',
      allowed: true,
      patched: false,
      r: aRequest({ operation: 'UPDATE', subResource: 'status', object: running, oldObject: pending, userInfo: CONTROLLER }),
    },
  ]
  return reviews.map(({ r, ...c }) => ({ ...c, uid: r.uid, body: goJson(aReview(r)) }))
}

function ordinaryCase(i: number): Case {
  const r = aRequest({ object: aWorkflowExecution((w) => (w.metadata.name = `wfe-ordinary-${i}`)) })
  return {
    name: `ordinary ${i}`,
    path: '/mutate-workflowexecution',
    body: JSON.stringify(aReview(r)),
    uid: r.uid,
    allowed: true,
    patched: true,
  }
}

/** What is wrong with an answer, or undefined when it is right. */
function wrong(c: Case, status: number, text: string): string | undefined {
  if (status !== 200) return `${c.name}: HTTP ${status} ${text.slice(0, 200)}`
  const r = (JSON.parse(text) as { response?: { uid?: string; allowed?: boolean; patch?: string } }).response
  if (r?.uid !== c.uid) return `${c.name}: uid ${String(r?.uid)}`
  if (r.allowed !== c.allowed) return `${c.name}: allowed ${String(r.allowed)}`
  if ((r.patch !== undefined) !== c.patched) return `${c.name}: patch ${r.patch === undefined ? 'missing' : 'unexpected'}`
  return undefined
}

function rssOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return kb === null ? 0 : Number(kb[1]) * 1024
  } catch {
    return 0
  }
}

t.test('four concurrent 20 MiB reviews and ordinary traffic: all answered right, RSS within 75 % of the limit', async (t) => {
  const nodeOptions = shippedNodeOptions(t)
  const dir = await mkdtemp(join(tmpdir(), 'wfe-memory-budget-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const port = await loopbackPort()
  const probePort = await loopbackPort()
  const certDir = join(dir, 'certs')
  const server = startProcess(
    'wfe-admission',
    process.execPath,
    [
      join(ROOT, 'dist/cli/main.js'),
      'serve',
      '--dev-certs',
      `--cert-dir=${certDir}`,
      '--bind-address=127.0.0.1',
      `--port=${port}`,
      `--probe-port=${probePort}`,
      '--drain-delay=0s',
      '--events=false',
    ],
    join(dir, 'serve.log'),
    { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: nodeOptions },
  )
  t.teardown(() => server.stop(10_000))
  await waitUntil('serve answered /readyz', () => answers200(`http://127.0.0.1:${probePort}/readyz`), {
    timeoutMs: 60_000,
    process: server,
  })
  const pid = server.child.pid!
  const ca = await readFile(join(certDir, 'ca.crt'), 'utf8')

  let peak = rssOf(pid)
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 10)
  t.teardown(() => clearInterval(sampler))
  const idle = peak

  const big = bigCases()
  for (const c of big)
    t.ok(c.body.length >= BIG * 0.95 && c.body.length <= BIG * 1.05, `${c.name}: ${(c.body.length / MiB).toFixed(1)} MiB`)
  // Each big review on a connection of its own, all four at once, as four apiserver requests would be.
  let bigDone = false
  const bigAnswers = Promise.all(
    big.map((c) => call(port, c.path, { ca, body: c.body, timeoutMs: 110_000 }).then((r) => wrong(c, r.status, r.text))),
  )
  void bigAnswers.finally(() => (bigDone = true))
  // Ordinary reviews on two keep-alive connections until the big ones are answered (at most 2,000).
  const agent = keepAliveAgent(ca, 2)
  t.teardown(() => agent.destroy())
  const ordinaryWrong: string[] = []
  let ordinary = 0
  const lane = async (): Promise<void> => {
    while (!bigDone && ordinary < 2000) {
      const c = ordinaryCase(ordinary++)
      const r = await call(port, c.path, { ca, agent, body: c.body })
      const why = wrong(c, r.status, r.text)
      if (why !== undefined) ordinaryWrong.push(why)
    }
  }
  const [bigWrong] = await Promise.all([bigAnswers, lane(), lane()])
  clearInterval(sampler)
  peak = Math.max(peak, rssOf(pid))

  t.same(
    bigWrong.filter((w) => w !== undefined),
    [],
    'each 20 MiB review got its verdict',
  )
  t.same(ordinaryWrong, [], `${ordinary} ordinary reviews answered right alongside`)
  t.ok(ordinary > 0, 'ordinary reviews were answered while the big ones were in flight')
  t.comment(
    `RSS idle ${(idle / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB; ceiling ${(RSS_CEILING_BYTES / MiB).toFixed(0)} MiB (75 % of ${DEPLOYMENT_MEMORY_LIMIT_BYTES / MiB} Mi); NODE_OPTIONS ${nodeOptions}`,
  )
  t.ok(peak <= RSS_CEILING_BYTES, `RSS peak ${(peak / MiB).toFixed(1)} MiB ≤ ${(RSS_CEILING_BYTES / MiB).toFixed(0)} MiB`)
})
