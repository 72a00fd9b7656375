// A recording proxy for one pass of the write sequence: the webhook configurations point at it, it
// notes each AdmissionReview the apiserver sends (webhook, operation, subresource, size, verdict)
// and forwards it unchanged to wfe-admission, presenting the apiserver's webhook client certificate.
// Used only while recording, never in a timed round.
import { createServer, request, type Server } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'

export interface RecordedReview {
  webhook: 'mutate' | 'mutate-status' | 'validate'
  operation: string
  subresource: string
  bytes: number
  /** status.phase of the object sent (status writes tell the walk's steps apart by it). */
  phase: string
  /** A status write that adds a block clearance. */
  clearance: boolean
  allowed: boolean
  patched: boolean
}

export interface Recorder {
  port: number
  reviews: RecordedReview[]
  close(): Promise<void>
}

/**
 * Records the reviews about objects in `namespace` (not the probes that check which webhooks answer).
 * Listens on a port of its own choosing: it asks no client certificate, so it needs none of the ports
 * the apiserver's admission kubeconfig names, and a reserved port can be taken by any outgoing
 * connection's ephemeral port in the meantime (seen once: EADDRINUSE, and the bench died without
 * stopping its control plane).
 */
export async function startRecorder(opts: { certDir: string; pkiDir: string; upstreamPort: number; namespace: string }): Promise<Recorder> {
  const reviews: RecordedReview[] = []
  const ca = readFileSync(join(opts.certDir, 'ca.crt'))
  const clientCert = readFileSync(join(opts.pkiDir, 'webhook-client.crt'))
  const clientKey = readFileSync(join(opts.pkiDir, 'webhook-client.key'))
  const server: Server = createServer(
    { cert: readFileSync(join(opts.certDir, 'tls.crt')), key: readFileSync(join(opts.certDir, 'tls.key')) },
    (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const up = request(
          {
            host: '127.0.0.1',
            port: opts.upstreamPort,
            method: req.method,
            path: req.url,
            servername: 'localhost',
            ca,
            cert: clientCert,
            key: clientKey,
            headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'content-length': body.length },
          },
          (upRes) => {
            const answer: Buffer[] = []
            upRes.on('data', (c: Buffer) => answer.push(c))
            upRes.on('end', () => {
              const text = Buffer.concat(answer)
              try {
                type Obj = { status?: { phase?: string; blockClearance?: unknown } } | null
                const review = JSON.parse(body.toString('utf8')) as {
                  request: { operation: string; namespace?: string; subResource?: string; object?: Obj; oldObject?: Obj }
                }
                if (review.request.namespace !== opts.namespace) throw new Error('not recorded')
                const response = (JSON.parse(text.toString('utf8')) as { response: { allowed: boolean; patch?: string } }).response
                const subresource = review.request.subResource ?? ''
                const webhook = req.url?.startsWith('/mutate') ? (subresource === 'status' ? 'mutate-status' : 'mutate') : 'validate'
                reviews.push({
                  webhook,
                  operation: review.request.operation,
                  subresource,
                  bytes: body.length,
                  phase: review.request.object?.status?.phase ?? '',
                  clearance:
                    review.request.object?.status?.blockClearance !== undefined &&
                    review.request.oldObject?.status?.blockClearance === undefined,
                  allowed: response.allowed,
                  patched: response.patch !== undefined,
                })
              } catch {
                // Not a review and its answer: forwarded all the same, not recorded.
              }
              res.writeHead(upRes.statusCode ?? 502, { 'content-type': 'application/json', 'content-length': text.length })
              res.end(text)
            })
          },
        )
        up.on('error', () => {
          res.writeHead(502)
          res.end()
        })
        up.end(body)
      })
    },
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.address() as AddressInfo).port,
    reviews,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
