// The CLI's handle on the outside world, injected so every command runs in-process in tests.
import type { Readable } from 'node:stream'

export interface CliIO {
  stdout: { write(s: string): unknown }
  stderr: { write(s: string): unknown }
  stdin: Readable
  env: Record<string, string | undefined>
  cwd: string
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() }
}

/** A command's entry point: argv after the command name; resolves to the exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>

export const EXIT_OK = 0
export const EXIT_DENIED = 1
export const EXIT_USAGE = 2
