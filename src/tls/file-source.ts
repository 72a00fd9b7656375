// The serving certificate from a directory (tls.crt, tls.key), reloaded without a restart.
// Kubernetes updates a Secret volume by writing a new timestamped directory and renaming the `..data`
// symlink onto it, so watching the files themselves would follow a dead inode: the DIRECTORY is
// watched, the watch is re-armed after renames, and a poll catches anything a watch misses (NFS,
// overlay file systems, a re-pointed directory symlink). A reload swaps the context only when the
// bytes changed and the new pair checks out; otherwise the last good pair keeps serving.
// With a client CA, attach() also installs the --client-allowed-names check (client-names.ts) as a
// 'secureConnection' listener: Node has no server-side verify hook, so a verified certificate with
// the wrong name is refused by destroying the socket right after the handshake, before HTTP.
import { watch, realpathSync, type FSWatcher } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Server as TlsServer, TlsOptions } from 'node:tls'
import { WfeError } from '../errors.js'
import type { CertificateSource, TlsReloadHooks } from './source.js'
import {
  checkMaterial,
  contextOptions,
  materialPaths,
  readMaterial,
  readMaterialSync,
  sameMaterial,
  type CheckedMaterial,
  type RawMaterial,
} from './material.js'
import { confirmServed } from './confirm.js'
import { installClientNameCheck } from './client-names.js'

export interface SourceLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

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
const MAX_SETTLE_ATTEMPTS = 3

interface DirWatch {
  dir: string
  realpath: string | undefined
  watcher: FSWatcher | undefined
}

function realpathOrUndefined(dir: string): string | undefined {
  try {
    return realpathSync(dir)
  } catch {
    return undefined
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Reads and checks the pair now (throws WfeError WFE_ERR_TLS naming the file when it is missing or
 * bad). An already expired certificate is accepted at start-up, logged, and reported unhealthy, so
 * a pod whose renewal is late comes up unready rather than crash-looping; reloads never accept one.
 */
export function createFileCertificateSource(options: FileCertificateSourceOptions): CertificateSource {
  const paths = materialPaths(options.certDir, options.clientCaFile)
  const now = options.now ?? (() => new Date())
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS
  const { logger, hooks } = options
  const allowedNames = options.clientCaFile !== undefined ? (options.clientAllowedNames ?? []) : []

  let current: CheckedMaterial
  try {
    current = checkMaterial(readMaterialSync(paths), paths, now(), true)
  } catch (err) {
    throw new WfeError('WFE_ERR_TLS', message(err), { cause: err })
  }
  if (current.notAfter.getTime() <= now().getTime()) {
    logger.warn(
      { file: paths.certFile, notAfter: current.notAfter.toISOString() },
      'serving certificate has expired; readiness stays false until it is replaced',
    )
  }

  const servers: TlsServer[] = []
  const dirs: DirWatch[] = [
    ...new Set([resolve(options.certDir), ...(paths.clientCaFile !== undefined ? [dirname(resolve(paths.clientCaFile))] : [])]),
  ].map((dir) => ({ dir, realpath: undefined, watcher: undefined }))
  let handedOut: CheckedMaterial | undefined
  let rejected: RawMaterial | undefined
  let lastReadError: string | undefined
  let pollTimer: NodeJS.Timeout | undefined
  let debounceTimer: NodeJS.Timeout | undefined
  let reloading = false
  let again = false
  let running = false

  function fail(reason: string): void {
    logger.warn(
      { certDir: options.certDir, clientCaFile: options.clientCaFile, reason },
      'TLS reload rejected; the previous certificate keeps serving',
    )
    hooks?.reload?.('error')
  }

  /** One read of the files: their bytes, or why they could not be read. */
  async function read(): Promise<RawMaterial | string> {
    try {
      return await readMaterial(paths)
    } catch (err) {
      return message(err)
    }
  }

  function sameRead(a: RawMaterial | string, b: RawMaterial | string): boolean {
    return typeof a === 'string' || typeof b === 'string' ? a === b : sameMaterial(a, b)
  }

  /** Checks the material and, when it passes, swaps it in; returns why it failed otherwise. */
  function apply(raw: RawMaterial): string | undefined {
    let next: CheckedMaterial
    try {
      next = checkMaterial(raw, paths, now())
      for (const server of servers) server.setSecureContext(contextOptions(next))
    } catch (err) {
      return message(err)
    }
    rejected = undefined
    current = next
    logger.info(
      { certDir: options.certDir, notAfter: next.notAfter.toISOString(), fingerprint256: next.fingerprint256 },
      'TLS certificate reloaded',
    )
    hooks?.reload?.('success', next.notAfter)
    for (const server of servers) void confirm(server, next.fingerprint256)
    return undefined
  }

  async function confirm(server: TlsServer, fingerprint256: string): Promise<void> {
    const served = await confirmServed(server, fingerprint256)
    if (served === true) logger.info({ fingerprint256 }, 'confirmed: new handshakes present the reloaded certificate')
    else if (served === false) logger.warn({ fingerprint256 }, 'a new handshake still presents the previous certificate after the reload')
  }

  async function reloadOnce(): Promise<void> {
    let seen = await read()
    let failure: string
    for (let attempt = 1; ; attempt++) {
      // A read that was in flight when stop() ran must not swap or report anything.
      if (!running) return
      if (typeof seen === 'string') {
        // A missing file persists across polls: report it once, not every 10 s.
        if (seen === lastReadError) {
          hooks?.looked?.('unchanged')
          return
        }
        failure = seen
      } else {
        lastReadError = undefined
        if (sameMaterial(current, seen) || sameMaterial(rejected, seen)) {
          hooks?.looked?.('unchanged')
          return
        }
        const why = apply(seen)
        if (why === undefined) return
        failure = why
      }
      // A failure may be a torn read (a file overwritten in place, or a swap between our two reads):
      // report only a state that holds still over a short quiet period.
      if (attempt >= MAX_SETTLE_ATTEMPTS) break
      hooks?.looked?.('settling')
      await sleep(settleMs, undefined, { ref: false })
      const next = await read()
      if (sameRead(seen, next)) break
      seen = next
    }
    if (!running) return
    if (typeof seen === 'string') lastReadError = seen
    else rejected = seen
    fail(failure)
  }

  async function reload(): Promise<void> {
    if (reloading) {
      again = true
      return
    }
    reloading = true
    try {
      do {
        again = false
        await reloadOnce()
      } while (again && running)
    } finally {
      reloading = false
    }
  }

  function schedule(): void {
    if (!running) return
    if (debounceTimer !== undefined) clearTimeout(debounceTimer)
    debounceTimer = setTimeout(() => {
      debounceTimer = undefined
      void reload()
    }, debounceMs)
    debounceTimer.unref()
  }

  function arm(w: DirWatch): void {
    w.watcher?.close()
    w.watcher = undefined
    w.realpath = realpathOrUndefined(w.dir)
    try {
      const watcher = watch(w.dir, { persistent: false }, (event) => {
        schedule()
        // A rename may have replaced the directory we hold (a re-pointed symlink): watch afresh.
        if (event === 'rename' && running && realpathOrUndefined(w.dir) !== w.realpath) arm(w)
      })
      watcher.on('error', () => {
        watcher.close()
        if (w.watcher === watcher) w.watcher = undefined
      })
      w.watcher = watcher
    } catch {
      // The directory is gone for now; the poll re-arms once it is back.
    }
  }

  function poll(): void {
    for (const w of dirs) {
      if (w.watcher === undefined || realpathOrUndefined(w.dir) !== w.realpath) arm(w)
    }
    void reload()
  }

  return {
    serverOptions(): TlsOptions {
      handedOut = current
      const opts: TlsOptions = contextOptions(current)
      if (options.clientCaFile !== undefined) {
        opts.requestCert = true
        opts.rejectUnauthorized = true
      }
      return opts
    },
    attach(server: TlsServer): void {
      servers.push(server)
      // The pair may have been reloaded between serverOptions() and attach().
      if (handedOut !== current) server.setSecureContext(contextOptions(current))
      // Stays installed after stop(): connections accepted while draining are checked too.
      if (allowedNames.length > 0) installClientNameCheck(server, allowedNames, logger)
    },
    start(): void {
      if (running) return
      running = true
      for (const w of dirs) arm(w)
      pollTimer = setInterval(poll, pollIntervalMs)
      pollTimer.unref()
      // Catch a change made between construction and start.
      void reload()
    },
    stop(): void {
      running = false
      if (pollTimer !== undefined) clearInterval(pollTimer)
      if (debounceTimer !== undefined) clearTimeout(debounceTimer)
      pollTimer = undefined
      debounceTimer = undefined
      for (const w of dirs) {
        w.watcher?.close()
        w.watcher = undefined
      }
    },
    healthy(): boolean {
      return current.notAfter.getTime() > now().getTime()
    },
    notAfter(): Date {
      return current.notAfter
    },
  }
}
