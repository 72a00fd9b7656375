// Reads a named file, or stdin for `-`, as text; the error names the file.
import { readFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { WfeError } from '../errors.js'

export async function readText(path: string, stdin: Readable, limitBytes = 64 * 1024 * 1024): Promise<string> {
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
    const code = (err as NodeJS.ErrnoException).code
    throw new WfeError('WFE_ERR_INPUT', `${path}: cannot read: ${code ?? (err instanceof Error ? err.message : String(err))}`)
  }
}
