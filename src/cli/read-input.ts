// Reads a named file, or stdin for `-`, as text; the error names the file.
import { readFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { WfeError } from '../errors.js'

/** An errno code as a person would say it, kubectl-style; the raw code only when it has no wording. */
export function fsProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return 'does not exist'
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied'
    case 'EISDIR':
      return 'is a directory, not a file'
    case 'ENOTDIR':
      return 'does not exist (a part of it is not a directory)'
    case 'ELOOP':
      return 'cannot be read: too many levels of symbolic links'
    default:
      return `cannot be read: ${code ?? (err instanceof Error ? err.message : String(err))}`
  }
}

/** `from` names where the path came from (`--old`, `the FILE argument`), so the user knows what to fix. */
export async function readText(path: string, stdin: Readable, limitBytes = 64 * 1024 * 1024, from?: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of stdin) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
      size += b.length
      if (size > limitBytes) throw new WfeError('WFE_ERR_INPUT', `stdin: more than ${limitBytes} bytes`)
      chunks.push(b)
    }
    return Buffer.concat(chunks).toString('utf8')
  }
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new WfeError('WFE_ERR_INPUT', `${from === undefined ? '' : `${from}: `}the path "${path}" ${fsProblem(err)}`)
  }
}
