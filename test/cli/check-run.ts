// Runs `check` in-process through its exported command function with an injected CliIO, from the
// repository root so reported paths read as they would in CI. Not a test file.
import { fileURLToPath } from 'node:url'
import { runCli, type CliRun } from '../helpers/cli.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const FIXTURES = 'test/fixtures/manifests'

export type CheckRun = CliRun

export function runCheckCommand(argv: string[], opts: { stdin?: string; cwd?: string } = {}): Promise<CheckRun> {
  return runCli(['check', ...argv], { cwd: opts.cwd ?? ROOT, ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }) })
}

export const fx = (name: string): string => `${FIXTURES}/${name}`
