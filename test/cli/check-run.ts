// Runs `check` in-process through its exported command function with an injected CliIO, from the
// repository root so reported paths read as they would in CI. Not a test file.
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { check } from '../../src/cli/commands/check.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const FIXTURES = 'test/fixtures/manifests'

export interface CheckRun { code: number; stdout: string; stderr: string }

export async function runCheck(argv: string[], opts: { stdin?: string; cwd?: string } = {}): Promise<CheckRun> {
  let stdout = ''
  let stderr = ''
  const code = await check(argv, {
    stdout: { write: (s: string) => { stdout += s; return true } },
    stderr: { write: (s: string) => { stderr += s; return true } },
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    env: {},
    cwd: opts.cwd ?? ROOT,
  })
  return { code, stdout, stderr }
}

export const fx = (name: string): string => `${FIXTURES}/${name}`
