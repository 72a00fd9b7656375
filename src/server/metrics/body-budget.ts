// The review-body byte budget (server/body-budget.ts): bytes in flight, the budget, reviews waiting,
// read from the budget at scrape time.
import { Gauge, type Registry } from 'prom-client'

/** What the gauges read: the budget's own counters. */
export interface BodyBudgetSource {
  readonly inFlight: number
  readonly waiting: number
  readonly capacity: number
}

/** Each gauge and the budget counter it reads. */
const GAUGES: readonly { name: string; help: string; read: (b: BodyBudgetSource) => number }[] = [
  {
    name: 'wfe_admission_review_bytes_in_flight',
    help: 'Bytes of review bodies being read or judged now (their Content-Length), against wfe_admission_review_bytes_budget.',
    read: (b) => b.inFlight,
  },
  {
    name: 'wfe_admission_review_bytes_budget',
    help: 'Most bytes of review bodies read or judged at once; a review that does not fit waits.',
    read: (b) => b.capacity,
  },
  {
    name: 'wfe_admission_reviews_waiting_for_memory',
    help: 'Reviews waiting, body unread, for room in the review-body budget.',
    read: (b) => b.waiting,
  },
]

export class BodyBudgetInstruments {
  /** Unset until the server tracks its budget. */
  private source: BodyBudgetSource | undefined

  constructor(registers: Registry[]) {
    // collect() runs with the gauge as `this`: the source is read through this arrow.
    const budget = (): BodyBudgetSource | undefined => this.source
    for (const { name, help, read } of GAUGES)
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const b = budget()
          if (b !== undefined) this.set(read(b))
        },
      })
  }

  track(source: BodyBudgetSource): void {
    this.source = source
  }
}
