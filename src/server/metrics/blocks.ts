// The target blocks: gauges read from the block index and the shared watch at scrape time, and the
// CREATEs the target-block rules refused, by cause.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Severity } from '../../admission/rule-contract.js'
import type { RuleId } from '../../rules/index.js'

/** What the target-block gauges read at scrape time (the block index and the shared watch). */
export interface BlockMetricsSource {
  blockedTargets(): number
  oldestBlockMs(): number | undefined
  isSynced(): boolean
  stalenessMs(): number
}

type RefusalCause = 'block' | 'backoff'

/** Rule ids whose denials count as refusals by block or by backoff. */
const REFUSALS: Partial<Record<RuleId, RefusalCause>> = { 'target-blocked': 'block', 'target-backoff': 'backoff' }

function isRuleId(rule: string): rule is RuleId {
  return Object.prototype.hasOwnProperty.call(REFUSALS, rule)
}

export class BlockInstruments {
  /** The index and watch the gauges read; unset (gauges absent) until the server tracks them. */
  private source: BlockMetricsSource | undefined
  private readonly refusedBy: Readonly<Record<RefusalCause, Counter.Internal>>

  constructor(registers: Registry[]) {
    // collect() runs with the gauge as `this`: the source is read through this arrow.
    const tracked = (): BlockMetricsSource | undefined => this.source
    new Gauge({
      name: 'wfe_admission_blocked_targets',
      help: 'Targets with an execution failure in force and not cleared (from the block index).',
      registers,
      collect() {
        const blocks = tracked()
        if (blocks !== undefined) this.set(blocks.blockedTargets())
      },
    })
    new Gauge({
      name: 'wfe_admission_oldest_block_age_seconds',
      help: 'Age of the oldest block in force (since its failedAt); 0 when nothing is blocked.',
      registers,
      collect() {
        const blocks = tracked()
        const at = blocks?.oldestBlockMs()
        if (blocks !== undefined) this.set(at === undefined ? 0 : Math.max(0, (Date.now() - at) / 1000))
      },
    })
    new Gauge({
      name: 'wfe_admission_block_index_synced',
      help: '1 while the block index equals what the apiserver committed (watch connected), else 0.',
      registers,
      collect() {
        const blocks = tracked()
        if (blocks !== undefined) this.set(blocks.isSynced() ? 1 : 0)
      },
    })
    new Gauge({
      name: 'wfe_admission_block_index_staleness_seconds',
      help: 'Seconds since the block index was last known current; 0 while synced.',
      registers,
      collect() {
        const blocks = tracked()
        if (blocks !== undefined) this.set(blocks.stalenessMs() / 1000)
      },
    })
    const refusals = new Counter({
      name: 'wfe_admission_target_refusals_total',
      help: 'CREATEs refused because the target is blocked (cause="block") or backing off (cause="backoff"), dry runs included.',
      labelNames: ['cause'],
      registers,
    })
    this.refusedBy = { block: refusals.labels('block'), backoff: refusals.labels('backoff') }
    for (const c of Object.values(this.refusedBy)) c.inc(0)
  }

  track(source: BlockMetricsSource): void {
    this.source = source
  }

  /** Counts a target-block denial; any other rule's violation is not a refusal by block. */
  violation(rule: string, severity: Severity): void {
    const cause = isRuleId(rule) ? REFUSALS[rule] : undefined
    if (cause !== undefined && severity === 'deny') this.refusedBy[cause].inc()
  }
}
