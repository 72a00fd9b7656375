import t from 'tap'
import { EventEmitter } from 'node:events'
import { writeAll } from '../../src/cli/write.js'

t.test('small output is written once, in order', async (t) => {
  const chunks: string[] = []
  await writeAll(
    {
      write: (s: string) => {
        chunks.push(s)
        return true
      },
    },
    ['a', 'b', 'c'],
  )
  t.same(chunks, ['abc'])
})

t.test('large output is written in pieces and waits for drain when the stream is full', async (t) => {
  const stream = new EventEmitter() as EventEmitter & { write: (s: string) => boolean }
  const written: string[] = []
  stream.write = (s: string) => {
    written.push(s)
    setImmediate(() => stream.emit('drain'))
    return false
  }
  const piece = 'x'.repeat(40 * 1024)
  const done = writeAll(stream, [piece, piece, piece, piece, 'end'])
  await done
  t.ok(written.length >= 2, `written in ${written.length} pieces`)
  t.equal(written.join(''), piece.repeat(4) + 'end', 'nothing lost or reordered')
  t.ok(
    written.every((w) => w.length < 200 * 1024),
    'never the whole output at once',
  )
})
