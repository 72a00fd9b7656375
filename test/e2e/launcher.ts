// `npm run cluster` as a user starts it, for the e2e files that test the launcher itself: in a
// process group of its own (so a SIGTERM to the group reaches it as a terminal's Ctrl-C would),
// killed at teardown if a test failed before stopping it.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../cluster/tools.js'
import { waitUntil } from '../cluster/processes.js'

export interface Launcher {
  /** What the launcher wrote to stderr so far (its `cluster: …` lines). */
  stderr(): string
  /** SIGTERM to the launcher's group; resolves with its exit code, or 'hung' past 10 s (a hang guard, not a speed claim). */
  stop(): Promise<number | string>
}

/** Starts `tsx test/cluster/main.ts --dir DIR FLAG` and waits for DIR/ready. */
export async function launchCluster(t: { teardown(f: () => void): void }, dir: string, flag: '--webhook' | '--chart'): Promise<Launcher> {
  const launcher = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['test/cluster/main.ts', '--dir', dir, flag], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  launcher.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  launcher.stdout.resume()
  const exited = new Promise<number | string>((resolve) => launcher.on('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  t.teardown(() => {
    if (launcher.exitCode === null && launcher.pid !== undefined) process.kill(-launcher.pid, 'SIGKILL')
  })
  await waitUntil('DIR/ready', async () => (existsSync(join(dir, 'ready')) ? true : undefined), { timeoutMs: 300_000 })
  return {
    stderr: () => stderr,
    stop: async () => {
      process.kill(-(launcher.pid as number), 'SIGTERM')
      let timer: NodeJS.Timeout | undefined
      const bound = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 10_000)))
      const how = await Promise.race([exited, bound])
      clearTimeout(timer)
      return how
    },
  }
}
