// One request to the Kubernetes API with a loaded kubeconfig (TLS, token, client certificate, exec
// plugins: whatever the kubeconfig says, applied by @kubernetes/client-node) over node:https, so the
// caller sees the status code and the apiserver's own Status message. Used by the shared watch's
// LIST and by `blocks` and `clear`. The client library is imported by whoever loads the kubeconfig.
import { request as httpsRequest } from 'node:https'
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http'

export interface KubeRequest {
  method?: 'GET' | 'PATCH' | 'POST'
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

export async function kubeRequest<T>(kc: KubeConfig, req: KubeRequest): Promise<T> {
  const cluster = kc.getCurrentCluster()
  if (cluster === null) throw new Error('the kubeconfig has no current cluster')
  const opts: { headers?: OutgoingHttpHeaders; agent?: unknown; auth?: string } = {}
  await kc.applyToHTTPSOptions(opts)
  const headers: OutgoingHttpHeaders = { ...(opts.headers ?? {}), accept: 'application/json' }
  if (opts.auth !== undefined) headers['authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`
  if (req.as !== undefined) headers['impersonate-user'] = req.as
  if (req.asGroups !== undefined && req.asGroups.length > 0) headers['impersonate-group'] = [...req.asGroups]
  const body = req.body === undefined ? undefined : JSON.stringify(req.body)
  if (body !== undefined) {
    headers['content-type'] = req.contentType ?? 'application/json'
    headers['content-length'] = Buffer.byteLength(body)
  }
  const url = new URL(cluster.server.replace(/\/$/, '') + req.path)
  const signal =
    req.signal === undefined ? AbortSignal.timeout(req.timeoutMs) : AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)])
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest
  return new Promise<T>((resolve, reject) => {
    const r = send(url, { method: req.method ?? 'GET', headers, agent: opts.agent as never, signal }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const code = res.statusCode ?? 0
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = undefined
        }
        if (code >= 200 && code < 300 && parsed !== undefined) return resolve(parsed as T)
        const status = parsed as { message?: unknown; reason?: unknown } | undefined
        const message = typeof status?.message === 'string' ? status.message : `HTTP ${code}${text === '' ? '' : `: ${text.slice(0, 200)}`}`
        reject(new KubeApiError(code, message, typeof status?.reason === 'string' ? status.reason : undefined))
      })
    })
    r.on('error', (err: Error & { code?: string }) => {
      // A timeout aborts with an AbortError; say which deadline it was.
      if (err.name === 'AbortError' && req.signal?.aborted !== true)
        reject(new Error(`no answer from ${url.origin} within ${req.timeoutMs / 1000}s`))
      else reject(err)
    })
    r.end(body)
  })
}
