// Reading the serving pair again and swapping it in: what serves now, the last bytes refused and the
// last read error (each reported once, not on every poll), and one reload at a time. A reload swaps
// the context only when the bytes changed and the new pair checks out; otherwise the last good pair
// keeps serving. A failed read may be torn (a file overwritten in place, or a swap between two
// reads), so only a state that holds still over a short quiet period is reported.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Server as TlsServer } from 'node:tls'
import type { TlsReloadHooks } from './source.js'
import {
  checkMaterial,
  contextOptions,
  readMaterial,
  sameMaterial,
  type CheckedMaterial,
  type MaterialPaths,
  type RawMaterial,
} from './material.js'
import { confirmServed } from './confirm.js'

export interface SourceLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface ReloaderOptions {
  paths: MaterialPaths
  /** For the log lines: where the pair is read from. */
  certDir: string
  clientCaFile: string | undefined
  /** How long a read that did not pass must hold still before it is reported. */
  settleMs: number
  now: () => Date
  logger: SourceLogger
  hooks: TlsReloadHooks | undefined
}

const MAX_SETTLE_ATTEMPTS = 3

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** One read of the files: their bytes, or why they could not be read. */
async function read(paths: MaterialPaths): Promise<RawMaterial | string> {
  try {
    return await readMaterial(paths)
  } catch (err) {
    return errorMessage(err)
  }
}

function sameRead(a: RawMaterial | string, b: RawMaterial | string): boolean {
  return typeof a === 'string' || typeof b === 'string' ? a === b : sameMaterial(a, b)
}

export class CertificateReloader {
  /** The servers whose context a successful reload swaps. */
  readonly servers: TlsServer[] = []
  /** The last bytes that did not pass: not judged (or reported) again until they change. */
  private rejected: RawMaterial | undefined
  /** The last read error: a missing file persists across polls and is reported once. */
  private lastReadError: string | undefined
  private reloading = false
  /** A reload was asked for while one ran: run once more when it ends. */
  private again = false
  /** False after stop(): a read in flight then swaps and reports nothing. */
  running = false

  constructor(
    /** The pair serving now. */
    public current: CheckedMaterial,
    private readonly options: ReloaderOptions,
  ) {}

  /** Reloads now, or once more after the reload in progress. */
  async reload(): Promise<void> {
    if (this.reloading) {
      this.again = true
      return
    }
    this.reloading = true
    try {
      do {
        this.again = false
        await this.reloadOnce()
      } while (this.again && this.running)
    } finally {
      this.reloading = false
    }
  }

  private async reloadOnce(): Promise<void> {
    const { hooks, paths, settleMs } = this.options
    let seen = await read(paths)
    let failure: string
    for (let attempt = 1; ; attempt++) {
      // A read that was in flight when stop() ran must not swap or report anything.
      if (!this.running) return
      if (typeof seen === 'string') {
        // A missing file persists across polls: report it once, not every 10 s.
        if (seen === this.lastReadError) {
          hooks?.looked?.('unchanged')
          return
        }
        failure = seen
      } else {
        this.lastReadError = undefined
        if (sameMaterial(this.current, seen) || sameMaterial(this.rejected, seen)) {
          hooks?.looked?.('unchanged')
          return
        }
        const why = this.apply(seen)
        if (why === undefined) return
        failure = why
      }
      if (attempt >= MAX_SETTLE_ATTEMPTS) break
      hooks?.looked?.('settling')
      await sleep(settleMs, undefined, { ref: false })
      const next = await read(paths)
      if (sameRead(seen, next)) break
      seen = next
    }
    if (!this.running) return
    if (typeof seen === 'string') this.lastReadError = seen
    else this.rejected = seen
    this.fail(failure)
  }

  /** Checks the material and, when it passes, swaps it in; returns why it failed otherwise. */
  private apply(raw: RawMaterial): string | undefined {
    const { paths, now, logger, hooks, certDir } = this.options
    let next: CheckedMaterial
    try {
      next = checkMaterial(raw, paths, now())
      for (const server of this.servers) server.setSecureContext(contextOptions(next))
    } catch (err) {
      return errorMessage(err)
    }
    this.rejected = undefined
    this.current = next
    logger.info({ certDir, notAfter: next.notAfter.toISOString(), fingerprint256: next.fingerprint256 }, 'TLS certificate reloaded')
    hooks?.reload?.('success', next.notAfter)
    for (const server of this.servers) void this.confirm(server, next.fingerprint256)
    return undefined
  }

  private async confirm(server: TlsServer, fingerprint256: string): Promise<void> {
    const { logger } = this.options
    const served = await confirmServed(server, fingerprint256)
    if (served === true) logger.info({ fingerprint256 }, 'confirmed: new handshakes present the reloaded certificate')
    else if (served === false) logger.warn({ fingerprint256 }, 'a new handshake still presents the previous certificate after the reload')
  }

  private fail(reason: string): void {
    const { certDir, clientCaFile, logger, hooks } = this.options
    logger.warn({ certDir, clientCaFile, reason }, 'TLS reload rejected; the previous certificate keeps serving')
    hooks?.reload?.('error')
  }
}
