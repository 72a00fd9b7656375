// The ceiling of this stack: a bare fastify HTTPS server with the webhook's TLS and socket settings
// that parses the same JSON body and answers a fixed allowed AdmissionReview, with no admission work.
import Fastify, { type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { TlsOptions } from 'node:tls'
import { MAX_REVIEW_BYTES } from '../src/admission/review.js'
import { KEEP_ALIVE_TIMEOUT_MS } from '../src/server/listen.js'

const FIXED = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'baseline', allowed: true } }

export async function startBaseline(tls: TlsOptions): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({
    https: { ...tls, minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] },
    bodyLimit: MAX_REVIEW_BYTES,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
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
    app.post(url, (_req, reply) => { reply.send(FIXED) })
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, port: (app.server.address() as AddressInfo).port }
}
