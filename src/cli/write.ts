// Writes output chunk by chunk and waits for 'drain' when the stream asks, so a large report piped
// into another program is neither held whole in memory nor cut short at exit.
import type { CliIO } from './io.js'

const FLUSH_AT = 64 * 1024

type Out = CliIO['stdout'] & { once?: (event: 'drain', cb: () => void) => unknown }

export async function writeAll(out: Out, chunks: Iterable<string>): Promise<void> {
  let buffer = ''
  for (const chunk of chunks) {
    buffer += chunk
    if (buffer.length >= FLUSH_AT) {
      await writeChunk(out, buffer)
      buffer = ''
    }
  }
  if (buffer !== '') await writeChunk(out, buffer)
}

function writeChunk(out: Out, s: string): Promise<void> | void {
  const ok = out.write(s)
  if (ok === false && typeof out.once === 'function') {
    return new Promise((resolve) => {
      out.once?.('drain', resolve)
    })
  }
}
