// Memory after bursts: a review holding a 5 MiB string, an 8 MiB body (over the 7 MiB limit, so a
// 413), then 40,000 ordinary reviews; RSS of `serve` afterwards, broken down into the V8 heap (from
// its own /metrics), memory outside the heap that V8 tracks (external, array buffers), and the rest
// of the anonymous memory (malloc arenas, TLS and socket buffers, code), from /proc/<pid>/status.
import { request as httpsRequest } from 'node:https'
import { get } from 'node:http'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { requestMix } from './mix.js'
import { toWire } from './check.js'
import { runGenerators } from './fork.js'
import type { AutocannonResult, Target } from './jobs.js'
import { MiB, rssOf, sampleRss } from './rss.js'

export interface MemoryBreakdown {
  rss: number
  rssAnon: number
  rssFile: number
  heapTotal: number
  heapUsed: number
  external: number
}

export interface BurstResult {
  before: MemoryBreakdown
  afterBig: MemoryBreakdown
  after: MemoryBreakdown
  peak: number
  bigStatus: [number, number]
  ordinary: number
}

function post(target: Target, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        servername: 'localhost',
        ca: target.ca,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? resolve(413) : reject(err)))
    req.end(body)
  })
}

function metricsOf(probePort: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: probePort, path: '/metrics' }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () => resolve(text))
    }).on('error', reject)
  })
}

export async function breakdown(pid: number, probePort: number): Promise<MemoryBreakdown> {
  const text = await metricsOf(probePort)
  const metric = (name: string): number => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return {
    rss: rssOf(pid),
    rssAnon: kb('RssAnon'),
    rssFile: kb('RssFile'),
    heapTotal: metric('nodejs_heap_size_total_bytes'),
    heapUsed: metric('nodejs_heap_size_used_bytes'),
    external: metric('nodejs_external_memory_bytes'),
  }
}

export function describeMemory(m: MemoryBreakdown): string {
  const f = (b: number): string => (b / MiB).toFixed(1)
  const other = m.rssAnon - m.heapTotal - m.external
  return `RSS ${f(m.rss)} MiB = anonymous ${f(m.rssAnon)} (V8 heap ${f(m.heapTotal)} of which used ${f(m.heapUsed)}; external ${f(m.external)}; other native ${f(other)}) + file-backed ${f(m.rssFile)}`
}

export async function burstsThenOrdinary(target: Target, pid: number, probePort: number): Promise<BurstResult> {
  const rss = sampleRss(pid)
  const before = await breakdown(pid, probePort)
  const [entry] = requestMix(7)
  const big = structuredClone(entry!.review)
  ;(big.request!.object as { spec: { rationale: string } }).spec.rationale = 'x'.repeat(5 * MiB)
  const s5 = await post(target, '/validate-workflowexecution', Buffer.from(JSON.stringify(big)))
  const s8 = await post(target, '/validate-workflowexecution', Buffer.alloc(8 * MiB, 0x20))
  await sleep(200)
  const afterBig = await breakdown(pid, probePort)
  const [r] = (await runGenerators([{ kind: 'autocannon', target, entries: toWire(requestMix(8)), connections: 50, amount: 40_000 }])
    .results) as [AutocannonResult]
  if (r.non2xx + r.errors + r.timeouts + r.wrong > 0) throw new Error(`failures after the bursts: ${JSON.stringify(r)}`)
  await sleep(1000)
  const after = await breakdown(pid, probePort)
  return { before, afterBig, after, peak: rss.stop(), bigStatus: [s5, s8], ordinary: r.requests }
}
