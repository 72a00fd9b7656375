// Real client writes to the kube-apiserver over one keep-alive HTTPS agent, as a controller's
// client-go would send them: the admin certificate with Impersonate-User, so each write is made as
// the controller or the orchestrator (the apiserver adds their groups), and timed with hrtime.
import { Agent, request } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface KubeTarget {
  server: string
  /** The control plane's pki folder (ca.crt, admin.crt, admin.key). */
  pkiDir: string
}

export interface WriteResult {
  status: number
  ms: number
  body: string
}

export interface KubeClient {
  write(method: string, path: string, body: unknown, as: string | undefined, contentType?: string): Promise<WriteResult>
  get(path: string): Promise<WriteResult>
  close(): void
}

export function kubeClient(target: KubeTarget, maxSockets = 64): KubeClient {
  const url = new URL(target.server)
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    ca: readFileSync(join(target.pkiDir, 'ca.crt')),
    cert: readFileSync(join(target.pkiDir, 'admin.crt')),
    key: readFileSync(join(target.pkiDir, 'admin.key')),
  })
  const send = (method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<WriteResult> =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint()
      const req = request(
        { host: url.hostname, port: url.port, method, path, agent, headers: { accept: 'application/json', ...headers }, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              ms: Number(process.hrtime.bigint() - t0) / 1e6,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          )
        },
      )
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)))
      req.on('error', reject)
      req.end(body)
    })
  return {
    write(method, path, body, as, contentType = 'application/json') {
      const text = body === undefined ? undefined : JSON.stringify(body)
      const headers: Record<string, string> = { 'content-type': contentType }
      if (text !== undefined) headers['content-length'] = String(Buffer.byteLength(text))
      if (as !== undefined) headers['impersonate-user'] = as
      return send(method, path, text, headers)
    },
    get: (path) => send('GET', path, undefined, {}),
    close: () => agent.destroy(),
  }
}
