// `npx tsx bench/profile.ts [seconds]`: serve under `node --cpu-prof` (the Deployment's NODE_OPTIONS),
// autocannon at 50 connections with the recorded mix, then the top functions by self time, grouped
// by where they live (our code, fastify, pino, cel-js, node internals, GC). For finding hot-path costs.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recordedMixEntries } from './apiserver/recorded-mix.js'
import { toWire } from './check.js'
import { runGenerators } from './fork.js'
import type { AutocannonResult } from './jobs.js'
import { spawnServe } from './serve-process.js'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
}

const seconds = Number(process.argv[2] ?? 8)
const root = await mkdtemp(join(tmpdir(), 'wfe-profile-'))
const profDir = join(root, 'prof')
try {
  const serve = await spawnServe(root, 'profile', [], undefined, ['--cpu-prof', `--cpu-prof-dir=${profDir}`])
  const ca = await readFile(join(serve.certDir, 'ca.crt'), 'utf8')
  const [r] = (await runGenerators([
    { kind: 'autocannon', target: { port: serve.port, ca }, entries: toWire(recordedMixEntries()), connections: 50, durationS: seconds },
  ]).results) as [AutocannonResult]
  await serve.stop()
  const [file] = await readdir(profDir)
  const profile = JSON.parse(await readFile(join(profDir, file!), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
  const total = profile.nodes.reduce((n, x) => n + x.hitCount, 0)
  const self = new Map<string, number>()
  const area = new Map<string, number>()
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame
    const where = url.replace(/^file:\/\/.*?\/(node_modules\/(@[^/]+\/)?[^/]+|dist)\//, '$1/')
    self.set(
      `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`,
      (self.get(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`) ?? 0) + n.hitCount,
    )
    const a =
      functionName === '(garbage collector)'
        ? 'GC'
        : functionName === '(idle)'
          ? 'idle'
          : functionName === '(program)'
            ? 'program (native)'
            : (/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
              (url.includes('/dist/')
                ? `ours: ${/\/dist\/([^/]+)/.exec(url)?.[1] ?? ''}`
                : url.startsWith('node:')
                  ? 'node internals'
                  : url === ''
                    ? 'native/builtins'
                    : 'other'))
    area.set(a, (area.get(a) ?? 0) + n.hitCount)
  }
  const busy = total - (area.get('idle') ?? 0)
  console.log(`${r.requests} reviews in ${seconds} s (${Math.round(r.rps)}/s); ${total} samples, ${busy} busy`)
  console.log('\nshare of busy samples by area:')
  for (const [k, v] of [...area]
    .filter(([k]) => k !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15))
    console.log(`  ${((100 * v) / busy).toFixed(1).padStart(5)} %  ${k}`)
  console.log('\ntop 25 functions by self time:')
  for (const [k, v] of [...self]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25))
    console.log(`  ${((100 * v) / busy).toFixed(1).padStart(5)} %  ${k}`)
} finally {
  await rm(root, { recursive: true, force: true })
}
