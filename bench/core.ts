// In-process core: reviews per second on one core for each request type of the mix, all rules on.
// Both webhooks run per request type, as the apiserver calls both (mutate, then validate).
import { Bench } from 'tinybench'
import { admit } from '../src/admission/admit.js'
import { compilePolicy } from '../src/policy.js'
import { DEFAULT_ADMISSION_OPTIONS } from '../src/config.js'
import { requestMix } from './mix.js'

export interface CoreResult {
  name: string
  webhook: string
  opsPerSec: number
  p99us: number
}

export async function benchCore(timeMs = 500): Promise<CoreResult[]> {
  const policy = compilePolicy(DEFAULT_ADMISSION_OPTIONS)
  const bench = new Bench({ time: timeMs, warmupTime: 100 })
  for (const entry of requestMix()) {
    const req = entry.review.request!
    for (const webhook of ['mutate', 'validate'] as const) {
      bench.add(`${entry.name} ${webhook}`, () => {
        admit(req, policy, webhook)
      })
    }
  }
  await bench.run()
  return bench.tasks.map((t) => {
    const r = t.result as unknown as { throughput?: { mean: number }; latency?: { p99?: number } }
    const [name = t.name, webhook = ''] = t.name.split(' ')
    return { name, webhook, opsPerSec: Math.round(r.throughput?.mean ?? 0), p99us: Math.round((r.latency?.p99 ?? 0) * 1000) }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchCore()
  console.table(rows)
}
