// A loopback HTTPS endpoint standing in for the Kubernetes API: it records every request and
// answers 201, or never answers (a slow apiserver). Plus a kubeconfig pointing at it, so the real
// @kubernetes/client-node code path (TLS with the CA, bearer token) is what gets tested.
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { issueCa, issueLeaf } from '../../src/certs/generate.js'

export interface Recorded {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: unknown
}

export interface FakeApiserver {
  url: string
  caPem: string
  requests: Recorded[]
  /** Resolves when `n` requests have been recorded. */
  received(n: number): Promise<void>
  /** TLS connections accepted so far. */
  connections(): number
  close(): Promise<void>
}

export const TOKEN = 'test-token-0123456789'

export async function startFakeApiserver(mode: 'answer' | 'hang' = 'answer'): Promise<FakeApiserver> {
  const ca = await issueCa({ commonName: 'fake-apiserver-ca' })
  const leaf = await issueLeaf({ ca, commonName: '127.0.0.1', ips: ['127.0.0.1'], usage: 'server' })
  const requests: Recorded[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  const server: Server = createServer({ key: leaf.key, cert: leaf.cert }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // Not JSON: recorded without a body.
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      for (const w of waiters.filter((w) => requests.length >= w.n)) w.resolve()
      if (mode === 'hang') return
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    })
  })
  let connections = 0
  server.on('secureConnection', () => connections++)
  const { url, close } = await listenOnLoopback(server)
  return {
    url,
    caPem: ca.cert,
    requests,
    received: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    connections: () => connections,
    close,
  }
}

/** Listens on a free 127.0.0.1 port; `close` also ends open (keep-alive or hanging) connections. */
export async function listenOnLoopback(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    url: `https://127.0.0.1:${address.port}`,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export interface Kubeconfig {
  path: string
  cleanup(): Promise<void>
}

export async function writeKubeconfig(server: string, caPem: string, token = TOKEN): Promise<Kubeconfig> {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-kubeconfig-'))
  const path = join(dir, 'kubeconfig')
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'webhook', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'webhook' } }],
    'current-context': 'fake',
  }
  await writeFile(path, JSON.stringify(config), { mode: 0o600 })
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** A fake apiserver and a kubeconfig file for it, both removed when the test ends. */
export async function fakeApiserverKubeconfig(
  t: { teardown(f: () => unknown): void },
  mode: 'answer' | 'hang',
): Promise<{ server: FakeApiserver; path: string }> {
  const server = await startFakeApiserver(mode)
  t.teardown(() => server.close())
  const kubeconfig = await writeKubeconfig(server.url, server.caPem)
  t.teardown(() => kubeconfig.cleanup())
  return { server, path: kubeconfig.path }
}

/** The same, loaded (client-node's KubeConfig): what a test of the kube client needs in one call. */
export async function fakeApiserverClient(
  t: { teardown(f: () => unknown): void },
  mode: 'answer' | 'hang',
): Promise<{ server: FakeApiserver; kc: import('@kubernetes/client-node').KubeConfig }> {
  const { server, path } = await fakeApiserverKubeconfig(t, mode)
  const { loadKubeConfig } = await import('../../src/kube/config.js')
  const loaded = await loadKubeConfig({ kubeconfigPath: path })
  if (loaded === undefined) throw new Error('expected a configuration')
  return { server, kc: loaded.kc }
}
