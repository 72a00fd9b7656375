// The serving certificate from a directory (tls.crt, tls.key), reloaded without a restart: the
// directories are watched (dir-watch.ts) and every look at them is a reload (reloader.ts), which
// swaps the context only when the bytes changed and the new pair checks out.
// With a client CA, attach() also installs the --client-allowed-names check (client-names.ts) as a
// 'secureConnection' listener: Node has no server-side verify hook, so a verified certificate with
// the wrong name is refused by destroying the socket right after the handshake, before HTTP.
import { dirname, resolve } from 'node:path'
import type { Server as TlsServer, TlsOptions } from 'node:tls'
import { WfeError } from '../errors.js'
import type { CertificateSource, TlsReloadHooks } from './source.js'
import { checkMaterial, contextOptions, materialPaths, readMaterialSync, type CheckedMaterial } from './material.js'
import { installClientNameCheck } from './client-names.js'
import { DirectoryWatch } from './dir-watch.js'
import { CertificateReloader, errorMessage, type SourceLogger } from './reloader.js'

export type { SourceLogger } from './reloader.js'

export interface FileCertificateSourceOptions {
  certDir: string
  /** CA bundle that client certificates must chain to; turns on requestCert/rejectUnauthorized. */
  clientCaFile?: string
  /** With clientCaFile: a client certificate must carry one of these as CN or DNS SAN. */
  clientAllowedNames?: readonly string[]
  pollIntervalMs?: number
  /** Quiet period after a watch event before reading, so a multi-file update is read once. */
  debounceMs?: number
  /** How long a read that did not pass must hold still before it is reported (a torn write settles). */
  settleMs?: number
  logger: SourceLogger
  hooks?: TlsReloadHooks
  now?: () => Date
}

export const DEFAULT_POLL_INTERVAL_MS = 10_000
const DEFAULT_DEBOUNCE_MS = 100
/** How long a read that did not pass must hold still before it is reported. */
const DEFAULT_SETTLE_MS = 50

/**
 * Reads and checks the pair now (throws WfeError WFE_ERR_TLS naming the file when it is missing or
 * bad). An already expired certificate is accepted at start-up, logged, and reported unhealthy, so
 * a pod whose renewal is late comes up unready rather than crash-looping; reloads never accept one.
 */
export function createFileCertificateSource(options: FileCertificateSourceOptions): CertificateSource {
  const paths = materialPaths(options.certDir, options.clientCaFile)
  const now = options.now ?? (() => new Date())
  const { logger } = options
  const allowedNames = options.clientCaFile !== undefined ? (options.clientAllowedNames ?? []) : []

  let initial: CheckedMaterial
  try {
    initial = checkMaterial(readMaterialSync(paths), paths, now(), true)
  } catch (err) {
    throw new WfeError('WFE_ERR_TLS', errorMessage(err), { cause: err })
  }
  if (initial.notAfter.getTime() <= now().getTime()) {
    logger.warn(
      { file: paths.certFile, notAfter: initial.notAfter.toISOString() },
      'serving certificate has expired; readiness stays false until it is replaced',
    )
  }

  const reloader = new CertificateReloader(initial, {
    paths,
    certDir: options.certDir,
    clientCaFile: options.clientCaFile,
    settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
    now,
    logger,
    hooks: options.hooks,
  })
  const dirs = new Set([resolve(options.certDir), ...(paths.clientCaFile !== undefined ? [dirname(resolve(paths.clientCaFile))] : [])])
  const watch = new DirectoryWatch([...dirs], {
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    debounceMs: options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    look: () => void reloader.reload(),
  })
  /** The pair serverOptions() last gave out: attach() catches up if a reload came in between. */
  let handedOut: CheckedMaterial | undefined

  return {
    serverOptions(): TlsOptions {
      handedOut = reloader.current
      const opts: TlsOptions = contextOptions(reloader.current)
      if (options.clientCaFile !== undefined) {
        opts.requestCert = true
        opts.rejectUnauthorized = true
      }
      return opts
    },
    attach(server: TlsServer): void {
      reloader.servers.push(server)
      // The pair may have been reloaded between serverOptions() and attach().
      if (handedOut !== reloader.current) server.setSecureContext(contextOptions(reloader.current))
      // Stays installed after stop(): connections accepted while draining are checked too.
      if (allowedNames.length > 0) installClientNameCheck(server, allowedNames, logger)
    },
    start(): void {
      if (reloader.running) return
      reloader.running = true
      watch.start()
      // Catch a change made between construction and start.
      void reloader.reload()
    },
    stop(): void {
      reloader.running = false
      watch.stop()
    },
    healthy(): boolean {
      return reloader.current.notAfter.getTime() > now().getTime()
    },
    notAfter(): Date {
      return reloader.current.notAfter
    },
  }
}
