// Child processes of the loopback control plane: each logs to a file of its own, is waited on by
// events (its exit, an answer on its port), and is stopped with SIGTERM, then SIGKILL if it lingers.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest, type RequestOptions } from 'node:https'
import { createServer } from 'node:net'

export class ClusterError extends Error {}

export interface Managed {
  name: string
  child: ChildProcess
  logFile: string
  /** Resolves with the exit code (or signal) once the process has gone. */
  exited: Promise<string>
  stop(graceMs?: number): Promise<void>
}

const live = new Set<Managed>()

/** Stops every process still running, newest first (a signal that arrives while starting up). */
export async function stopAll(): Promise<void> {
  for (const p of [...live].reverse()) await p.stop()
}

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Managed {
  const log = createWriteStream(logFile, { flags: 'a' })
  // A process group of its own: Ctrl-C in the terminal, or a signal to `npm run cluster`'s group,
  // reaches only this launcher, which stops the children in order (etcd last: an apiserver whose etcd
  // is gone retries it for its whole shutdown grace period).
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  let gone = false
  const exited = new Promise<string>((resolve) => {
    child.on('error', (err) => {
      gone = true
      resolve(`failed to start: ${err.message}`)
    })
    child.on('exit', (code, signal) => {
      gone = true
      resolve(signal ?? `exit ${String(code)}`)
    })
  })
  const managed: Managed = {
    name,
    child,
    logFile,
    exited,
    async stop(graceMs = 15_000) {
      if (gone) return
      child.kill('SIGTERM')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((r) => {
        timer = setTimeout(() => r('late'), graceMs)
      })
      if ((await Promise.race([exited, late])) === 'late') child.kill('SIGKILL')
      clearTimeout(timer)
      await exited
    },
  }
  live.add(managed)
  void exited.then(() => {
    live.delete(managed)
    log.end()
  })
  return managed
}

/** The last lines of a process's log, for an error message that says why it died. */
export async function logTail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/**
 * `wanted` if it is free on 127.0.0.1, else a clear error; without `wanted`, a port free now, chosen
 * below the kernel's ephemeral range when that range is known. A port the kernel picks comes from that
 * range, and between this check and the process that listens on it, any outgoing connection (the
 * apiserver to etcd or to a webhook, a client) may be given it as its source port: bench step 7 once
 * died on EADDRINUSE that way. Below the range only an explicit bind can take it.
 */
export async function loopbackPort(wanted?: number, flag?: string): Promise<number> {
  if (wanted !== undefined) return freeOnLoopback(wanted, flag)
  const low = await ephemeralRangeStart()
  if (low !== undefined && low > FIRST_CHOSEN_PORT + 1000) {
    for (let i = 0; i < 20; i++) {
      const port = FIRST_CHOSEN_PORT + Math.floor(Math.random() * (low - FIRST_CHOSEN_PORT))
      const free = await freeOnLoopback(port).catch(() => undefined)
      if (free !== undefined) return free
    }
  }
  return freeOnLoopback(0)
}

/** Ports below this are left alone: well-known and registered services a developer's machine may run. */
const FIRST_CHOSEN_PORT = 10_000

/** The first port of the kernel's ephemeral range (Linux), undefined where it cannot be read. */
export async function ephemeralRangeStart(): Promise<number | undefined> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => undefined)
  const low = Number(text?.trim().split(/\s+/)[0])
  return Number.isInteger(low) && low > 0 ? low : undefined
}

/** Listens on `wanted` (0: the kernel's choice) and closes again: the port, or a clear error. */
function freeOnLoopback(wanted: number, flag?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new ClusterError(
          err.code === 'EADDRINUSE'
            ? `port ${String(wanted)} on 127.0.0.1 is in use${flag === undefined ? '' : `; choose another with ${flag} or leave it out to pick a free one`}`
            : `cannot listen on 127.0.0.1:${String(wanted)}: ${err.message}`,
        ),
      )
    })
    server.listen(wanted, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/**
 * Repeats `probe` until it returns a value, the process dies, or `timeoutMs` passes. The probe is
 * the event (an answer on a port); the short pause between tries only bounds the polling rate.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; process?: Managed },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs
  let died: string | undefined
  void opts.process?.exited.then((how) => {
    died = how
  })
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (died !== undefined && opts.process !== undefined) {
      throw new ClusterError(
        `${opts.process.name} exited (${died}) before ${what}; its log ${opts.process.logFile} ends:\n${await logTail(opts.process.logFile)}`,
      )
    }
    if (Date.now() > deadline) throw new ClusterError(`timed out after ${opts.timeoutMs / 1000}s waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

/** `true` when GET `url` answers 200 (https with `tls`: CA and client pair), undefined otherwise. */
export function answers200(url: string, tls?: Pick<RequestOptions, 'ca' | 'cert' | 'key'>): Promise<true | undefined> {
  return new Promise((resolve) => {
    const handle = (res: import('node:http').IncomingMessage): void => {
      res.resume()
      resolve(res.statusCode === 200 ? true : undefined)
    }
    const req = url.startsWith('https:')
      ? httpsRequest(url, { ...tls, timeout: 5000 }, handle)
      : httpRequest(url, { timeout: 5000 }, handle)
    req.on('error', () => resolve(undefined))
    req.on('timeout', () => {
      req.destroy()
      resolve(undefined)
    })
    req.end()
  })
}
