// Raw sockets to a test server on 127.0.0.1, for what node:https will not send: partial headers,
// bodies shorter or longer than declared, plain HTTP on the TLS port, old TLS versions.
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import type { Socket } from 'node:net'

export function tlsSocket(port: number, ca: string, extra: Partial<ConnectionOptions> = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...extra }, () => resolve(s))
    s.once('error', reject)
  })
}

export interface ReadResult {
  text: string
  /** False when the timeout struck first (the socket is then destroyed by us). */
  closed: boolean
  /** When the peer closed, ms after the read began. */
  ms: number
}

/** Everything the peer sends until it closes the connection, or until timeoutMs. */
export function readUntilClose(s: TLSSocket | Socket, timeoutMs: number): Promise<ReadResult> {
  const started = Date.now()
  return new Promise((resolve) => {
    let text = ''
    const timer = setTimeout(() => {
      s.destroy()
      resolve({ text, closed: false, ms: Date.now() - started })
    }, timeoutMs)
    s.on('data', (c: Buffer) => {
      text += c.toString('utf8')
    })
    s.on('error', () => {})
    s.once('close', () => {
      clearTimeout(timer)
      resolve({ text, closed: true, ms: Date.now() - started })
    })
  })
}

/** The JSON body of a raw HTTP/1.1 response read to its end (Content-Length framed, as fastify sends). */
export function rawJsonBody(text: string): any {
  const at = text.indexOf('\r\n\r\n')
  return JSON.parse(text.slice(at + 4))
}
