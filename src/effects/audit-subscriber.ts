// The audit sink as a subscriber of the shared WorkflowExecution watch (src/watch/): the recorder is
// fed by the same list+watch as the block index, one connection per replica.
import { hostname } from 'node:os'
import type { WatchSubscriber } from '../watch/contract.js'
import type { EffectLogger } from './audit.js'
import type { WorkflowExecution } from '../api/workflowexecution.js'

/** The two calls of the audit sink (audit-watch.ts) the watch makes. */
export interface ObservingSink {
  observe(kind: 'upsert' | 'delete', object: WorkflowExecution): void
  settled(): Promise<void>
}

export function auditSubscriber(sink: ObservingSink, logger: EffectLogger, instance = hostname()): WatchSubscriber {
  return {
    name: 'audit',
    upsert: (o) => sink.observe('upsert', o),
    // A relist only knows that an object vanished, not its last state: the deletion record needs
    // that state, so only a watched DELETED event is recorded.
    remove: (o, how) => {
      if (how === 'watch') sink.observe('delete', o)
    },
    // After each list every stored object has been handed over; once their records settle, this
    // replica has caught up with everything stored while it was not watching.
    synced: () => {
      void sink.settled().then(() => logger.info({ instance }, 'audit watch in sync: every stored clearance listed so far is recorded'))
    },
    stale: () => {},
  }
}
