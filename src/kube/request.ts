// One request to the Kubernetes API with a loaded kubeconfig (TLS, token, client certificate, exec
// plugins: whatever the kubeconfig says, applied by @kubernetes/client-node) over node:https, so the
// caller sees the status code and the apiserver's own Status message. Used by the shared watch's
// LIST, by `blocks` and `clear`, and by the audit recorder (markers, Lease, Events). One keep-alive
// agent per kubeconfig: client-node's applyToHTTPSOptions makes a new Agent per call, so every call
// paid a TCP and TLS handshake. The client library is imported by whoever loads the kubeconfig.
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https'
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http'

export interface KubeRequest {
  method?: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE'
  path: string
  body?: unknown
  contentType?: string
  /** Impersonation, as kubectl --as and --as-group. */
  as?: string | undefined
  asGroups?: readonly string[] | undefined
  timeoutMs: number
  signal?: AbortSignal | undefined
}

/** An answer other than 2xx, with the apiserver's Status message when it sent one. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason: string | undefined,
  ) {
    super(message)
  }
}

type KubeConfig = import('@kubernetes/client-node').KubeConfig

/** What the apiserver answered, unparsed: the callers decide what a status means. */
export interface KubeAnswer {
  status: number
  text: string
}

const agents = new WeakMap<KubeConfig, Agent>()

/**
 * The kubeconfig's TLS material in one keep-alive agent (credentials, such as a rotating token, are
 * still read per call). A cluster reached through a proxy keeps client-node's own agent.
 */
function agentFor(kc: KubeConfig, opts: RequestOptions, proxied: boolean): unknown {
  if (proxied) return opts.agent
  let agent = agents.get(kc)
  if (agent === undefined) {
    agent = new Agent({
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
    agents.set(kc, agent)
  }
  return agent
}

export async function kubeExchange(kc: KubeConfig, req: KubeRequest): Promise<KubeAnswer> {
  const cluster = kc.getCurrentCluster()
  if (cluster === null) throw new Error('the kubeconfig has no current cluster')
  const opts: RequestOptions & { headers?: OutgoingHttpHeaders } = {}
  await kc.applyToHTTPSOptions(opts)
  const headers: OutgoingHttpHeaders = { ...(opts.headers ?? {}), accept: 'application/json' }
  if (opts.auth !== undefined && opts.auth !== null) headers['authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`
  if (req.as !== undefined) headers['impersonate-user'] = req.as
  if (req.asGroups !== undefined && req.asGroups.length > 0) headers['impersonate-group'] = [...req.asGroups]
  const body = req.body === undefined ? undefined : JSON.stringify(req.body)
  if (body !== undefined) {
    headers['content-type'] = req.contentType ?? 'application/json'
    headers['content-length'] = Buffer.byteLength(body)
  }
  const url = new URL(cluster.server.replace(/\/$/, '') + req.path)
  const http = url.protocol === 'http:'
  const send = http ? httpRequest : httpsRequest
  const agent = http ? undefined : agentFor(kc, opts, cluster.proxyUrl !== undefined)
  return new Promise<KubeAnswer>((resolve, reject) => {
    // A timer cleared on the answer and a listener on the caller's signal, not AbortSignal.timeout()
    // and AbortSignal.any(): on Node 20 those cost about 9 and 28 µs of CPU per call, and keep a
    // live timer per call for the whole timeout (hundreds at once under the recorder's load).
    let settled = false
    const done = (): void => {
      settled = true
      clearTimeout(timer)
      req.signal?.removeEventListener('abort', aborted)
    }
    const r = send(url, { method: req.method ?? 'GET', headers, agent: agent as never }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', (err) => {
        done()
        reject(err)
      })
      res.on('end', () => {
        done()
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
      })
    })
    const timer = setTimeout(() => r.destroy(new Error(`no answer from ${url.origin} within ${req.timeoutMs / 1000}s`)), req.timeoutMs)
    const aborted = (): void => {
      r.destroy(Object.assign(new Error('the request was aborted'), { name: 'AbortError' }))
    }
    if (req.signal?.aborted === true) aborted()
    else req.signal?.addEventListener('abort', aborted, { once: true })
    r.on('error', (err: Error) => {
      if (settled) return
      done()
      reject(err)
    })
    r.end(body)
  })
}

/** The parsed answer of a 2xx; anything else is a KubeApiError with the apiserver's Status message. */
export async function kubeRequest<T>(kc: KubeConfig, req: KubeRequest): Promise<T> {
  const { status: code, text } = await kubeExchange(kc, req)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (code >= 200 && code < 300 && parsed !== undefined) return parsed as T
  const status = parsed as { message?: unknown; reason?: unknown } | undefined
  const message = typeof status?.message === 'string' ? status.message : `HTTP ${code}${text === '' ? '' : `: ${text.slice(0, 200)}`}`
  throw new KubeApiError(code, message, typeof status?.reason === 'string' ? status.reason : undefined)
}
