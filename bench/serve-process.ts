// The built CLI as production runs it: `node dist/cli/main.js serve --dev-certs` in its own process.
// Measures spawn → first /readyz 200, and serves as the target for the RSS-under-load measurement.
import { spawn, type ChildProcess } from 'node:child_process'
import { openSync, closeSync, readFileSync, existsSync, statSync, readdirSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Floor } from './baseline.js'
import { loopbackPort } from '../test/cluster/processes.js'

export const CLI = 'dist/cli/main.js'

export interface ServeProcess {
  child: ChildProcess
  port: number
  probePort: number
  certDir: string
  /** spawn() to the first 200 from /readyz, ms. */
  readyMs: number
  /** What the process itself logged as readyMs (process.uptime at listen). */
  loggedReadyMs: number | undefined
  stop(): Promise<void>
}

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', () => resolve(0))
  })
}

/** Newest mtime under src/, so a stale dist/ is reported rather than measured by mistake. */
function newestSource(dir = 'src'): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs)
  }
  return newest
}

export function distState(): 'missing' | 'stale' | 'fresh' {
  if (!existsSync(CLI)) return 'missing'
  return statSync(CLI).mtimeMs < newestSource() ? 'stale' : 'fresh'
}

/**
 * Node flags for the serve process: by default the Deployment's NODE_OPTIONS, so the benchmark
 * measures what production runs; BENCH_NODE_FLAGS overrides them to compare V8 heap settings.
 */
export const NODE_FLAGS = (process.env['BENCH_NODE_FLAGS'] ?? deploymentNodeOptions()).split(' ').filter((f) => f !== '')

/** The Deployment's container memory limit, bytes (`limits: … memory: 256Mi`). */
export function memoryLimitBytes(): number {
  const text = readFileSync('manifests/base/deployment.yaml', 'utf8')
  const m = /limits:[\s\S]*?memory:\s*(\d+)Mi/.exec(text)
  if (m === null) throw new Error('manifests/base/deployment.yaml: no memory limit in Mi found')
  return Number(m[1]) * 1024 * 1024
}

function deploymentNodeOptions(): string {
  const text = readFileSync('manifests/base/deployment.yaml', 'utf8')
  return /name: NODE_OPTIONS\s+value: (.+)/.exec(text)?.[1]?.trim() ?? ''
}

/**
 * `extraArgs` (a --kubeconfig, for bench:blocks) and a longer wait for /readyz when the index must sync
 * first; `extraNodeFlags` go after the Deployment's, e.g. --cpu-prof for bench/profile.ts.
 */
export async function spawnServe(
  workDir: string,
  name: string,
  extraArgs: readonly string[] = [],
  readyTimeoutMs = 20_000,
  extraNodeFlags: readonly string[] = [],
): Promise<ServeProcess> {
  const certDir = join(workDir, `certs-${name}`)
  const logFile = join(workDir, `serve-${name}.log`)
  const port = await loopbackPort()
  const probePort = await loopbackPort()
  const out = openSync(logFile, 'w')
  const t0 = performance.now()
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      ...extraNodeFlags,
      CLI,
      'serve',
      '--dev-certs',
      '--cert-dir',
      certDir,
      '--bind-address',
      '127.0.0.1',
      '--port',
      String(port),
      '--probe-port',
      String(probePort),
      '--drain-delay',
      '0s',
      ...extraArgs,
    ],
    {
      // Logs go to a file, as a container runtime would take them; Events off (no cluster here).
      stdio: ['ignore', out, out],
      env: { ...process.env, WFE_EVENTS: 'false' },
    },
  )
  closeSync(out)
  const exited = once(child, 'exit')
  let readyMs: number
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(0, 2000)}`)
    if ((await status(probePort, '/readyz')) === 200) {
      readyMs = performance.now() - t0
      break
    }
    if (performance.now() - t0 > readyTimeoutMs) throw new Error(`serve not ready after ${readyTimeoutMs / 1000} s`)
    await sleep(2)
  }
  const line = readFileSync(logFile, 'utf8')
    .split('\n')
    .find((l) => l.includes('"wfe-admission serving"'))
  const logged = line === undefined ? undefined : (JSON.parse(line) as { readyMs?: number }).readyMs
  return {
    child,
    port,
    probePort,
    certDir,
    readyMs,
    loggedReadyMs: logged,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

export interface BaselineProcess {
  child: ChildProcess
  port: number
  stop(): Promise<void>
}

/** bench/baseline.ts (or one of its floors) in its own process, serving the given directory's pair. */
export async function spawnBaseline(
  certDir: string,
  floor: Floor = 'bare',
  extraNodeFlags: readonly string[] = [],
): Promise<BaselineProcess> {
  const child = spawn(process.execPath, [...NODE_FLAGS, ...extraNodeFlags, '--import', 'tsx', 'bench/baseline.ts', certDir, floor], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  const line = await new Promise<string>((resolve, reject) => {
    let text = ''
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString()
      if (text.includes('\n')) resolve(text.split('\n')[0]!)
    })
    child.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)))
  })
  return {
    child,
    port: (JSON.parse(line) as { port: number }).port,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}
