// After a reload, one loopback handshake proves that new connections really get the new certificate
// (a swap that silently did not take would otherwise only show when the old one expires).
import { connect, type Server as TlsServer } from 'node:tls'

function loopback(address: string): string {
  if (address === '0.0.0.0' || address === '') return '127.0.0.1'
  if (address === '::') return '::1'
  return address
}

/**
 * Resolves true when a fresh handshake with `server` presents the certificate with `fingerprint256`,
 * false when it presents another, and undefined when it could not be checked (not listening, no
 * handshake within `timeoutMs`).
 */
export function confirmServed(server: TlsServer, fingerprint256: string, timeoutMs = 2000): Promise<boolean | undefined> {
  const addr = server.address()
  if (addr === null || typeof addr === 'string') return Promise.resolve(undefined)
  return new Promise((resolve) => {
    let settled = false
    const done = (v: boolean | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(v)
    }
    // Verification is off on purpose: this compares what is presented, it does not trust it.
    const socket = connect({ host: loopback(addr.address), port: addr.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
    const timer = setTimeout(() => done(undefined), timeoutMs)
    timer.unref()
    socket.once('secureConnect', () => done(socket.getPeerCertificate().fingerprint256 === fingerprint256))
    socket.once('error', () => done(undefined))
  })
}
