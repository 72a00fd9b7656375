// --client-allowed-names: OpenSSL verifies the client certificate's chain during the handshake, but
// Node offers no server-side hook to reject it by name there, so the check runs on
// 'secureConnection', the first moment the verified certificate is known, before HTTP reads a byte.
import type { PeerCertificate, Server as TlsServer, TLSSocket } from 'node:tls'

export interface NameCheckLogger {
  warn(obj: object, msg: string): void
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return []
  return Array.isArray(v) ? v : [v]
}

/** The common names and DNS SANs of a peer certificate. */
export function clientNames(peer: PeerCertificate): string[] {
  const names = asList(peer.subject?.CN)
  const san = peer.subjectaltname ?? ''
  for (const entry of san.split(/,\s*/)) {
    if (!entry.startsWith('DNS:')) continue
    // Node quotes a SAN that contains separators; such a name can never equal a plain allowed one.
    names.push(entry.slice(4))
  }
  return names
}

export function clientNameAllowed(peer: PeerCertificate, allowed: ReadonlySet<string>): boolean {
  return clientNames(peer).some((n) => allowed.has(n))
}

/**
 * Installs the name check on `server`: a connection whose verified client certificate carries none of
 * `allowed` as CN or DNS SAN is destroyed. Prepended so it runs before the HTTP layer takes the socket.
 * Returns a function that removes the check.
 */
export function installClientNameCheck(server: TlsServer, allowed: readonly string[], logger: NameCheckLogger): () => void {
  const set = new Set(allowed)
  const listener = (socket: TLSSocket): void => {
    const peer = socket.getPeerCertificate()
    if (socket.authorized && peer !== undefined && Object.keys(peer).length > 0 && clientNameAllowed(peer, set)) return
    logger.warn(
      { remoteAddress: socket.remoteAddress, clientNames: Object.keys(peer ?? {}).length > 0 ? clientNames(peer) : [] },
      'client certificate name not in --client-allowed-names; connection closed',
    )
    socket.destroy()
  }
  server.prependListener('secureConnection', listener)
  return () => {
    server.removeListener('secureConnection', listener)
  }
}
