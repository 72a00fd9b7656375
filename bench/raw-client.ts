// A minimal HTTP/1.1-over-TLS client for the paced jobs: one request at a time per connection,
// responses framed by Content-Length (fastify always sends it), latencies from process.hrtime.
// It behaves like the apiserver's client: keep-alive, a new connection after Connection: close,
// and one resend when a reused connection closes before any byte of the answer.
import { connect, type TLSSocket } from 'node:tls'
import { setTimeout as sleep } from 'node:timers/promises'
import { checkAnswer, type WireEntry } from './check.js'
import { percentiles, type PacedJob, type PacedResult, type Target } from './jobs.js'

const ANSWER_TIMEOUT_MS = 10_000
const RETRY_REFUSED_MS = 20

type Exchange = { status: number; body: string; close: boolean } | { fail: 'unanswered' | 'broken' | 'timeout' }

function open(t: Target): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: t.port, ca: t.ca, servername: 'localhost' }, () => {
      s.removeListener('error', reject)
      s.on('error', () => {})
      resolve(s)
    })
    s.setNoDelay(true)
    s.once('error', reject)
  })
}

function requestBytes(e: WireEntry): Buffer {
  const body = Buffer.from(e.body)
  return Buffer.concat([
    Buffer.from(`POST ${e.path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`),
    body,
  ])
}

function exchange(socket: TLSSocket, request: Buffer): Promise<Exchange> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0)
    let need = -1
    let headEnd = -1
    let status = 0
    let close = false
    const finish = (x: Exchange): void => {
      clearTimeout(timer)
      socket.removeListener('data', onData)
      socket.removeListener('close', onClose)
      resolve(x)
    }
    const onData = (c: Buffer): void => {
      buf = buf.length === 0 ? c : Buffer.concat([buf, c])
      if (headEnd < 0) {
        headEnd = buf.indexOf('\r\n\r\n')
        if (headEnd < 0) return
        const head = buf.subarray(0, headEnd).toString('latin1')
        status = Number(head.slice(9, 12))
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)
        close = /\r\nconnection: *close/i.test(head)
        need = headEnd + 4 + Number(length?.[1] ?? 0)
      }
      if (buf.length >= need) finish({ status, close, body: buf.subarray(headEnd + 4, need).toString('utf8') })
    }
    const onClose = (): void => finish({ fail: buf.length === 0 ? 'unanswered' : 'broken' })
    const timer = setTimeout(() => finish({ fail: 'timeout' }), ANSWER_TIMEOUT_MS)
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.write(request)
  })
}

export async function runPaced(job: PacedJob): Promise<PacedResult> {
  const requests = job.entries.map(requestBytes)
  const counts = { answered: 0, wrong: 0, refused: 0, resent: 0, unanswered: 0, broken: 0, timeouts: 0 }
  const wrongExamples: string[] = []
  const latencies: number[] = []
  const fromSchedule: number[] = []
  const warmupMs = job.warmupMs ?? 0
  const start = performance.now()
  const measureFrom = start + warmupMs
  const end = measureFrom + job.durationMs
  // Each connection sends every `interval` ms, offset so the connections interleave evenly.
  const interval = job.ratePerSec === undefined ? 0 : (job.connections * 1000) / job.ratePerSec

  async function connection(i: number): Promise<void> {
    let socket: TLSSocket | undefined
    let reused = false
    for (let k = 0; ; k++) {
      const scheduled = start + (interval * i) / job.connections + k * interval
      const wait = scheduled - performance.now()
      if (wait > 0) await sleep(wait)
      if (performance.now() >= end) break
      const n = (i + k) % requests.length
      const measured = performance.now() >= measureFrom
      if (socket === undefined) {
        try {
          socket = await open(job.target)
          reused = false
        } catch {
          if (measured) counts.refused++
          await sleep(RETRY_REFUSED_MS)
          continue
        }
      }
      const t0 = process.hrtime.bigint()
      let r = await exchange(socket, requests[n]!)
      if ('fail' in r && r.fail === 'unanswered' && reused) {
        // The server closed an idle keep-alive connection as we wrote: it never read the request.
        if (measured) counts.resent++
        socket.destroy()
        try {
          socket = await open(job.target)
          reused = false
          r = await exchange(socket, requests[n]!)
        } catch {
          if (measured) counts.refused++
          socket = undefined
          continue
        }
      }
      const t1 = process.hrtime.bigint()
      if ('fail' in r) {
        if (measured) counts[r.fail === 'timeout' ? 'timeouts' : r.fail]++
        socket.destroy()
        socket = undefined
        continue
      }
      if (measured) {
        counts.answered++
        latencies.push(Number(t1 - t0) / 1e6)
        if (interval > 0) fromSchedule.push(performance.now() - scheduled)
        const wrong = checkAnswer(r.status, r.body, job.entries[n]!.expect)
        if (wrong !== undefined) {
          counts.wrong++
          if (wrongExamples.length < 5) wrongExamples.push(`${job.entries[n]!.name}: ${wrong}`)
        }
      }
      reused = true
      if (r.close || job.freshConnections === true) {
        socket.end()
        socket = undefined
      }
    }
    socket?.end()
  }

  await Promise.all(Array.from({ length: job.connections }, (_, i) => connection(i)))
  const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort()
  const result: PacedResult = {
    kind: 'paced',
    ...counts,
    wrongExamples,
    latencyMs: percentiles(sorted(latencies)),
    rate: counts.answered / (job.durationMs / 1000),
    durationMs: job.durationMs,
  }
  if (interval > 0) result.fromScheduleMs = percentiles(sorted(fromSchedule))
  return result
}
