import t from 'tap'
import { pino } from 'pino'
import { buildProbeApp, createReadiness } from '../../src/server/health.js'
import { createMetrics } from '../../src/server/metrics.js'
import { testPolicy } from '../helpers/objects.js'
import { createBlockIndex } from '../../src/blocks/block-index.js'

function probe() {
  const readiness = createReadiness()
  const app = buildProbeApp({ readiness, metrics: createMetrics({ defaultMetrics: false }), logger: pino({ level: 'silent' }) })
  return { app, readiness }
}

t.test('/healthz is 200 while the process is up, whatever readiness says', async (t) => {
  const { app, readiness } = probe()
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200)
  readiness.beginShutdown()
  const res = await app.inject({ url: '/healthz' })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'ok\n')
})

t.test('/readyz: policy compiled AND TLS healthy AND not shutting down, with the reason when not', async (t) => {
  const { app, readiness } = probe()
  const ready = async () => {
    const r = await app.inject({ url: '/readyz' })
    return `${r.statusCode} ${r.body.trim()}`
  }
  t.equal(await ready(), '503 not ready: policy not compiled yet')
  readiness.setPolicy(testPolicy())
  t.equal(await ready(), '503 not ready: TLS not loaded yet')
  let healthy = false
  readiness.setTls({ healthy: () => healthy })
  t.match(await ready(), /^503 not ready: TLS certificate not healthy/)
  healthy = true
  t.equal(await ready(), '200 ok')
  t.equal(readiness.shuttingDown, false)
  readiness.beginShutdown()
  t.equal(readiness.shuttingDown, true)
  t.equal(await ready(), '503 not ready: shutting down')
  healthy = true
  t.equal(await ready(), '503 not ready: shutting down', 'never ready again once shutdown began')
})

t.test('/readyz waits for the block index to sync once; a later stale view keeps it ready', async (t) => {
  const { app, readiness } = probe()
  readiness.setPolicy(testPolicy())
  readiness.setTls({ healthy: () => true })
  const index = createBlockIndex()
  readiness.setBlockIndex(index)
  t.equal((await app.inject({ url: '/readyz' })).body, 'not ready: WorkflowExecution index not synced yet (first LIST)\n')
  index.synced('1')
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200)
  index.stale('watch failed')
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'judging from the last view (docs/blocks.md)')
})

t.test('unknown probe path: 404 JSON', async (t) => {
  const { app } = probe()
  const res = await app.inject({ url: '/nope' })
  t.equal(res.statusCode, 404)
  t.equal(res.json().error, 'NotFound')
})
