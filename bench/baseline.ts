// The ceiling of this stack: a bare fastify HTTPS server with the webhook's TLS and socket settings
// that parses the same JSON body and answers a fixed allowed AdmissionReview, with no admission work.
import Fastify, { type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { TlsOptions } from 'node:tls'
import { MAX_REVIEW_BYTES } from '../src/admission/review.js'
import { DEFAULT_SERVER_SETTINGS } from '../src/server/settings.js'

const FIXED = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'baseline', allowed: true } }

export async function startBaseline(tls: TlsOptions): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({
    https: { ...tls, minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] },
    bodyLimit: MAX_REVIEW_BYTES,
    keepAliveTimeout: DEFAULT_SERVER_SETTINGS.keepAliveTimeoutMs,
    maxRequestsPerSocket: 0,
    logger: false,
  }) as unknown as FastifyInstance
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (err) {
      done(err as Error, undefined)
    }
  })
  for (const url of ['/validate-workflowexecution', '/mutate-workflowexecution']) {
    app.post(url, (_req, reply) => {
      reply.send(FIXED)
    })
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, port: (app.server.address() as AddressInfo).port }
}

// Run on its own (`node --import tsx bench/baseline.ts CERT_DIR`), as the bench does, so the baseline
// has a process to itself like `serve`: prints {"port":N} once listening, stops on SIGTERM.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync } = await import('node:fs')
  const path = await import('node:path')
  const dir = process.argv[2] ?? 'certs'
  const { app, port } = await startBaseline({ cert: readFileSync(path.join(dir, 'tls.crt')), key: readFileSync(path.join(dir, 'tls.key')) })
  process.stdout.write(`${JSON.stringify({ port })}\n`)
  process.once('SIGTERM', () => {
    void app.close()
  })
}
