// A minimal JSON REST client for the recorder's own writes (markers, Lease, Events, Namespace
// reads): the kubeconfig's TLS and credentials applied to node:https, one bounded request per
// call, over one keep-alive agent (client-node's applyToHTTPSOptions makes a new Agent per call, so
// every marker, Lease renewal and Event paid a TCP and TLS handshake: most of the recorder's CPU). Plain JSON in and out, so MicroTime and ConfigMap data reach the apiserver exactly as
// written (the generated client re-serialises typed models). The client library is imported by
// the caller only when an API is configured.
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https'
import { request as httpRequest } from 'node:http'
import type { KubeConfig } from '@kubernetes/client-node'

export interface RestAnswer {
  status: number
  body: Record<string, unknown> | undefined
}

export type Rest = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => Promise<RestAnswer>

/** An error carrying the apiserver's status code and message, so callers can branch on 404/409/403. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

export function failIfNot(answer: RestAnswer, ok: readonly number[], what: string): RestAnswer {
  if (ok.includes(answer.status)) return answer
  const message = typeof answer.body?.['message'] === 'string' ? answer.body['message'] : `HTTP ${answer.status}`
  throw new ApiError(answer.status, `${what}: ${message}`)
}

export function createRest(kc: KubeConfig, timeoutMs: number): Rest {
  const cluster = kc.getCurrentCluster()
  if (cluster === null) throw new Error('no current cluster in the configuration')
  const base = new URL(cluster.server)
  // The TLS material is the kubeconfig's and fixed; the credentials (a rotating token) are read per call.
  // A proxy (cluster proxy-url) keeps client-node's own agent.
  let agent: Agent | undefined
  return async (method, path, body) => {
    const opts: RequestOptions = { method, headers: { accept: 'application/json' } }
    await kc.applyToHTTPSOptions(opts)
    if (cluster.proxyUrl === undefined && base.protocol === 'https:') {
      agent ??= new Agent({
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        pfx: opts.pfx,
        passphrase: opts.passphrase,
        ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
        ...(opts.servername === undefined ? {} : { servername: opts.servername }),
        keepAlive: true,
        maxSockets: 4,
        // An idle socket is closed well before the apiserver's own idle timeout, so a call never
        // lands on a connection the server is closing.
        timeout: 30_000,
      })
      opts.agent = agent
    }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const headers = { ...(opts.headers as Record<string, string>) }
    if (payload !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = String(payload.length)
    }
    const url = new URL(path, base)
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest
    return await new Promise<RestAnswer>((resolve, reject) => {
      const req = send(url, { ...opts, headers, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: Record<string, unknown> | undefined
          try {
            parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>)
          } catch {
            parsed = { message: text.slice(0, 200) }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed })
        })
      })
      req.on('error', reject)
      req.end(payload)
    })
  }
}
