// Where the serving certificate comes from. The server asks a source for its options at start,
// attaches it so the source can swap the context on reload, and reads healthy() for readiness.
import type { Server as TlsServer, TlsOptions } from 'node:tls'

export interface TlsReloadHooks {
  /** Called on each reload attempt that found changed bytes. */
  reload?(result: 'success' | 'error', notAfter?: Date): void
  /**
   * Called after each look at the files (a poll or a watch event): `unchanged` when there was
   * nothing new to judge, `settling` when a read did not pass and the source waits for the files to
   * hold still before judging them. Lets tests wait for the source instead of for time.
   */
  looked?(outcome: 'unchanged' | 'settling'): void
}

export interface CertificateSource {
  /** Options for https.createServer: key, cert, TLS 1.2 minimum, client-CA settings when set. */
  serverOptions(): TlsOptions
  /** Lets the source call server.setSecureContext() whenever the material changes. */
  attach(server: TlsServer): void
  /** Starts watching (fs.watch on the directory, re-armed after renames) and polling. */
  start(): void
  stop(): void
  /** True while a valid, unexpired pair is being served. */
  healthy(): boolean
  /** Expiry of the certificate being served. */
  notAfter(): Date | undefined
}
