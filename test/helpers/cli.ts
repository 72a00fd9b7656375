// Runs the CLI in-process with captured output, as a user's shell would see it.
import { Readable } from 'node:stream'
import { main } from '../../src/cli/main.js'

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
