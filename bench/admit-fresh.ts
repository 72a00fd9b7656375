// admit() on freshly parsed reviews: each call gets its own JSON.parse'd copy of the entry (as the
// server does), never one object reused (which lets V8 keep everything hot and reads too low).
// Timed in batches with the parse outside the timed region, in CPU time (process.cpuUsage), so other
// processes on a shared machine do not count; the median batch gives CPU µs per review.
import { admit } from '../src/admission/admit.js'
import { compilePolicy } from '../src/policy.js'
import { DEFAULT_ADMISSION_OPTIONS } from '../src/config.js'
import type { AdmissionReview } from '../src/admission/types.js'
import type { WebhookKind } from '../src/admission/types.js'
import { requestMix } from './mix.js'

export interface FreshResult {
  name: string
  webhook: WebhookKind
  medianUs: number
  p90Us: number
}

const BATCH = 200

export function benchAdmitFresh(batches = 60): FreshResult[] {
  const policy = compilePolicy(DEFAULT_ADMISSION_OPTIONS)
  const out: FreshResult[] = []
  for (const entry of requestMix()) {
    const text = JSON.stringify(entry.review)
    for (const webhook of ['mutate', 'validate'] as const) {
      const perOp: number[] = []
      for (let b = -10; b < batches; b++) {
        const reviews: AdmissionReview[] = []
        for (let i = 0; i < BATCH; i++) reviews.push(JSON.parse(text) as AdmissionReview)
        const t0 = process.cpuUsage()
        for (const r of reviews) admit(r.request!, policy, webhook)
        const d = process.cpuUsage(t0)
        if (b >= 0) perOp.push((d.user + d.system) / BATCH)
      }
      perOp.sort((a, b) => a - b)
      out.push({ name: entry.name, webhook, medianUs: perOp[Math.floor(perOp.length / 2)]!, p90Us: perOp[Math.floor(perOp.length * 0.9)]! })
    }
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = benchAdmitFresh(Number(process.env['BATCHES'] ?? 60))
  console.table(rows.map((r) => ({ ...r, medianUs: r.medianUs.toFixed(2), p90Us: r.p90Us.toFixed(2) })))
}
