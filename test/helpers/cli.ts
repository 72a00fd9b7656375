// Runs the CLI in-process with captured output, as a user's shell would see it.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { main } from '../../src/cli/main.js'

/** The built bin, as CI and the image run it; `npm test` builds dist/ before tap runs. */
export const BUILT_MAIN = join(fileURLToPath(new URL('../../', import.meta.url)), 'dist/cli/main.js')

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export async function runCli(argv: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: {
      write: (s: string) => {
        stdout += s
        return true
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s
        return true
      },
    },
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
  })
  return { code, stdout, stderr }
}

/** Runs the built bin (`node dist/cli/main.js`) in a child process with only PATH and `env` set. */
export function runBuiltCli(argv: string[], opts: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BUILT_MAIN, ...argv],
      { cwd: opts.cwd ?? process.cwd(), env: { PATH: process.env['PATH'] ?? '', ...opts.env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
        if (code === -1) reject(err ?? new Error('no exit code'))
        else resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(opts.stdin ?? '')
  })
}
