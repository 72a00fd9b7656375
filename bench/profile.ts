// `npx tsx bench/profile.ts [seconds] [baseline]`: serve (or, with `baseline`, bench/baseline.ts on the
// same pair) under `node --cpu-prof` (the Deployment's NODE_OPTIONS), autocannon at 50 connections with
// the recorded mix, then the top functions by self time, grouped by where they live (our code, fastify,
// pino, cel-js, node internals, GC), and CPU µs per review for each. For finding hot-path costs: the
// baseline's profile says what the same TLS, HTTP and JSON cost without the admission work.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recordedMixEntries } from './apiserver/recorded-mix.js'
import { toWire } from './check.js'
import { runGenerators } from './fork.js'
import type { AutocannonResult } from './jobs.js'
import { spawnBaseline, spawnServe } from './serve-process.js'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
}

const seconds = Number(process.argv[2] ?? 8)
const target = process.argv[3] === 'baseline' ? 'baseline' : 'serve'
const root = await mkdtemp(join(tmpdir(), 'wfe-profile-'))
const profDir = join(root, 'prof')
try {
  const profFlags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`]
  // The baseline serves serve's certificate pair; serve is stopped before the baseline starts.
  const serve = await spawnServe(root, 'profile', [], undefined, target === 'serve' ? profFlags : [])
  const ca = await readFile(join(serve.certDir, 'ca.crt'), 'utf8')
  const server = target === 'serve' ? serve : (await serve.stop(), await spawnBaseline(serve.certDir, 'bare', profFlags))
  const [r] = (await runGenerators([
    { kind: 'autocannon', target: { port: server.port, ca }, entries: toWire(recordedMixEntries()), connections: 50, durationS: seconds },
  ]).results) as [AutocannonResult]
  await server.stop()
  const [file] = await readdir(profDir)
  const profile = JSON.parse(await readFile(join(profDir, file!), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
  // Self time per node from the samples' time deltas (µs), not hit counts: the sampling interval varies.
  const micros = new Map<number, number>()
  profile.samples.forEach((id, i) => micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const self = new Map<string, number>()
  const area = new Map<string, number>()
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame
    const us = micros.get(n.id) ?? 0
    const where = url.replace(/^file:\/\/.*?\/(node_modules\/(@[^/]+\/)?[^/]+|dist)\//, '$1/')
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + us)
    const a = areaOf(functionName, url)
    area.set(a, (area.get(a) ?? 0) + us)
  }
  const busy = [...area].reduce((t, [k, v]) => (k === 'idle' ? t : t + v), 0)
  const perReview = (us: number): string => `${(us / r.requests).toFixed(1).padStart(6)} µs`
  console.log(
    `${target}: ${r.requests} reviews in ${seconds} s (${Math.round(r.rps)}/s); busy ${(busy / 1e6).toFixed(2)} s of the main thread, ${perReview(busy).trim()} per review (start-up included)`,
  )
  console.log('\nbusy time by area (share, CPU per review):')
  for (const [k, v] of [...area]
    .filter(([k]) => k !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15))
    console.log(`  ${((100 * v) / busy).toFixed(1).padStart(5)} % ${perReview(v)}  ${k}`)
  console.log('\ntop 25 functions by self time:')
  for (const [k, v] of [...self]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25))
    console.log(`  ${((100 * v) / busy).toFixed(1).padStart(5)} % ${perReview(v)}  ${k}`)
} finally {
  await rm(root, { recursive: true, force: true })
}

function areaOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC'
  if (functionName === '(idle)') return 'idle'
  if (functionName === '(program)') return 'program (native)'
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1]
  if (pkg !== undefined) return pkg
  if (url.includes('/dist/')) return `ours: ${/\/dist\/([^/]+)/.exec(url)?.[1] ?? ''}`
  if (url.startsWith('node:')) return 'node internals'
  return url === '' ? 'native/builtins' : 'other'
}
