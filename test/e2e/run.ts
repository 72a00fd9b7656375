// `npm run e2e [-- FILE...]`: builds the pinned tools if needed and the server, starts one loopback
// control plane with the webhook installed, runs the end-to-end tap files against it one at a
// time (they share the cluster and some stop or re-point the webhook), then stops everything.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { startCluster, type RunningCluster } from '../cluster/main.js'
import { ROOT } from '../cluster/tools.js'
import { installFixtures } from './setup.js'

const log = (line: string): void => {
  process.stderr.write(`e2e: ${line}\n`)
}

function testFiles(args: readonly string[]): string[] {
  if (args.length > 0) return [...args]
  return readdirSync(join(ROOT, 'test/e2e'))
    .filter((f) => f.endsWith('.e2e.ts'))
    .sort()
    .map((f) => join('test/e2e', f))
}

function runTap(files: readonly string[], dir: string): Promise<number> {
  return new Promise((resolve) => {
    const tap = spawn(
      join(ROOT, 'node_modules/.bin/tap'),
      ['--jobs=1', '--timeout=900', '--disable-coverage', '--allow-incomplete-coverage', ...files],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, WFE_E2E_DIR: dir },
      },
    )
    tap.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)))
  })
}

async function main(): Promise<number> {
  const files = testFiles(process.argv.slice(2))
  const dir = await mkdtemp(join(tmpdir(), 'wfe-e2e-'))
  let cluster: RunningCluster | undefined
  const stop = async (): Promise<void> => {
    await cluster?.stop()
    cluster = undefined
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      void stop().finally(() => process.exit(130))
    })
  try {
    cluster = await startCluster({ dir, webhook: true, operators: false, reset: false, log })
    await installFixtures(cluster.info)
    log(
      `control plane ready in ${dir}; wfe-admission runs on Node ${process.version} (${process.execPath}); running ${files.length} file(s)`,
    )
    const code = await runTap(files, dir)
    if (code !== 0) {
      const tail = (await readFile(join(dir, 'logs', 'wfe-admission.log'), 'utf8').catch(() => ''))
        .trimEnd()
        .split('\n')
        .slice(-20)
        .join('\n')
      log(`failed; the cluster's logs are kept in ${relative(ROOT, dir) || dir}/logs. wfe-admission's last lines:\n${tail}`)
    }
    await stop()
    // A failed run keeps its logs to read, and nothing else: the folder also holds the throw-away CA's keys.
    if (code === 0) await rm(dir, { recursive: true, force: true })
    else await keepOnly(dir, 'logs')
    return code
  } catch (err) {
    log(err instanceof Error ? err.message : String(err))
    await stop()
    await keepOnly(dir, 'logs')
    return 1
  }
}

async function keepOnly(dir: string, kept: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [])) if (entry !== kept) await rm(join(dir, entry), { recursive: true, force: true })
}

void main().then((code) => process.exit(code))
