import t from 'tap'
import { parseGoDuration } from '../../src/api/duration.js'

t.test('Go duration grammar', async (t) => {
  const ok: [string, number][] = [['90s', 90e9], ['30m', 1800e9], ['1h30m', 5400e9], ['1.5h', 5400e9], ['0', 0], ['-5m', -300e9], ['300ms', 3e8], ['1h0m0s', 3600e9], ['2us', 2000], ['2µs', 2000]]
  for (const [s, ns] of ok) t.equal(parseGoDuration(s), ns, s)
  for (const s of ['', '10', 'abc', '1d', 'm', '1h 30m', ' 1h', '1h-5m', '--1s', '1e3s', 'x'.repeat(100)]) t.equal(parseGoDuration(s), undefined, JSON.stringify(s))
})
