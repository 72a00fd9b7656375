// A tiny node:https client for tests against a real server on 127.0.0.1: it trusts the test CA and
// reports whether the request went over a reused keep-alive socket.
import { Agent, request } from 'node:https'
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'

export interface HttpsResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json: () => any
  reusedSocket: boolean
}

export interface CallOptions {
  method?: string
  headers?: OutgoingHttpHeaders
  body?: string | Buffer
  agent?: Agent
  ca: string
  timeoutMs?: number
}

export function keepAliveAgent(ca: string, maxSockets = 1): Agent {
  return new Agent({ keepAlive: true, maxSockets, ca })
}

export function call(port: number, path: string, opts: CallOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const body = opts.body
    const headers: OutgoingHttpHeaders = { ...opts.headers }
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json'
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body)
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'POST',
        headers,
        ca: opts.ca,
        agent: opts.agent ?? false,
        servername: 'localhost',
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text), reusedSocket: req.reusedSocket })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error('client timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

export function postJson(port: number, path: string, value: unknown, opts: Omit<CallOptions, 'body'>): Promise<HttpsResponse> {
  return call(port, path, { ...opts, body: JSON.stringify(value) })
}
