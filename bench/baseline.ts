// The ceiling of this stack: a bare fastify HTTPS server with the webhook's TLS and socket settings
// that parses the same JSON body and answers a fixed allowed AdmissionReview, with no admission work.
// Two floors add our pure layers one at a time, and nothing of the server around them (bench step 3):
//   parse  the body parsed as the server does (int64-exact, parseJsonBody), decodeReview, and an
//          allowed answer for the request's uid, encoded as the server encodes one;
//   core   the same, with admit() and its answer: what the pure core costs inside a real HTTPS server.
// serve − core is then what the server adds around admit() (metrics, logs, body budget, effects).
import Fastify, { type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { TlsOptions } from 'node:tls'
import { decodeReview, encodeReview, MAX_REVIEW_BYTES } from '../src/admission/review.js'
import { admit } from '../src/admission/admit.js'
import { compilePolicy } from '../src/policy.js'
import { parseJsonBody } from '../src/server/http-errors.js'
import { DEFAULT_SERVER_SETTINGS } from '../src/server/settings.js'

export type Floor = 'bare' | 'parse' | 'core'
export const FLOORS: readonly Floor[] = ['bare', 'parse', 'core']

const FIXED = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'baseline', allowed: true } }

export async function startBaseline(tls: TlsOptions, floor: Floor = 'bare'): Promise<{ app: FastifyInstance; port: number }> {
  const policy = floor === 'core' ? compilePolicy() : undefined
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
      done(null, floor === 'bare' ? JSON.parse(body as string) : parseJsonBody(body as string))
    } catch (err) {
      done(err as Error, undefined)
    }
  })
  for (const [url, webhook] of [
    ['/validate-workflowexecution', 'validate'],
    ['/mutate-workflowexecution', 'mutate'],
  ] as const) {
    app.post(url, (req, reply) => {
      if (floor === 'bare') return reply.send(FIXED)
      const d = decodeReview(req.body)
      if (!d.ok) return reply.code(400).send(d.message)
      const response = policy === undefined ? { uid: d.request.uid, allowed: true } : admit(d.request, policy, webhook).response
      return reply.send(encodeReview(d.apiVersion, response))
    })
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, port: (app.server.address() as AddressInfo).port }
}

// Run on its own (`node --import tsx bench/baseline.ts CERT_DIR [bare|parse|core]`), as the bench does,
// so each has a process to itself like `serve`: prints {"port":N} once listening, stops on SIGTERM.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync } = await import('node:fs')
  const path = await import('node:path')
  const dir = process.argv[2] ?? 'certs'
  const floor = process.argv[3] ?? 'bare'
  if (!(FLOORS as readonly string[]).includes(floor)) throw new Error(`bench/baseline.ts: ${floor} is not one of ${FLOORS.join(', ')}`)
  const tls = { cert: readFileSync(path.join(dir, 'tls.crt')), key: readFileSync(path.join(dir, 'tls.key')) }
  const { app, port } = await startBaseline(tls, floor as Floor)
  process.stdout.write(`${JSON.stringify({ port })}\n`)
  process.once('SIGTERM', () => {
    void app.close()
  })
}
