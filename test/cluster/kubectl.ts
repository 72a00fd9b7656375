// The pinned kubectl as a function: never throws for a non-zero exit (a denial is a result the
// tests read), always bounded in time.
import { execFile } from 'node:child_process'

export interface KubectlResult {
  code: number
  stdout: string
  stderr: string
}

export interface KubectlOptions {
  /** Written to stdin (for `-f -`). */
  input?: string
  /** Impersonate this user (`--as`) and groups (`--as-group`). */
  as?: string
  asGroups?: readonly string[]
  timeoutMs?: number
}

export function runKubectl(
  kubectl: string,
  kubeconfig: string | undefined,
  args: readonly string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  const full = [...(kubeconfig === undefined ? [] : [`--kubeconfig=${kubeconfig}`])]
  if (opts.as !== undefined) full.push(`--as=${opts.as}`)
  for (const g of opts.asGroups ?? []) full.push(`--as-group=${g}`)
  full.push(...args)
  return new Promise((resolve) => {
    const child = execFile(
      kubectl,
      full,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1
        resolve({ code, stdout, stderr: err !== null && stderr === '' ? err.message : stderr })
      },
    )
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    else child.stdin?.end()
  })
}

/** Like runKubectl, but a non-zero exit is an error carrying kubectl's own words. */
export async function kubectlOrThrow(
  kubectl: string,
  kubeconfig: string | undefined,
  args: readonly string[],
  opts: KubectlOptions = {},
): Promise<string> {
  const r = await runKubectl(kubectl, kubeconfig, args, opts)
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}
