// The one list+watch of WorkflowExecutions that everything cluster-wide is fed from (the audit
// recorder, the target-block index): one connection per replica, one view of what the apiserver
// committed. Subscribers keep only the fields they need; the watch itself keeps no objects.
import type { WorkflowExecution } from '../api/workflowexecution.js'

/** What a consumer of the shared watch implements. Calls arrive in the apiserver's commit order. */
export interface WatchSubscriber {
  /** For logs and metrics. */
  readonly name: string
  /** An object as stored: from a LIST page or an ADDED/MODIFIED watch event. */
  upsert(object: WorkflowExecution): void
  /**
   * A DELETED watch event (the object's last stored state), or, after a relist, an object the LIST
   * no longer returned (`relist`: only metadata.namespace, name and uid are known; the subscriber's
   * own state says what it was).
   */
  remove(object: WorkflowExecution, how: 'watch' | 'relist'): void
  /**
   * Whether, after upsert(object), the subscriber keeps state about it. The watch remembers the
   * identity of objects some subscriber retains (and only those) to call remove(…, 'relist') when a
   * relist no longer returns them: at 100,000 executions, keeping every identity would cost more
   * than the index itself. Absent: every object is retained.
   */
  retains?(object: WorkflowExecution): boolean
  /** A complete LIST was handed over: the subscriber's view equals the apiserver's at that resourceVersion. */
  synced(resourceVersion: string): void
  /** The watch broke: the view is stale from now until the next synced(). */
  stale(reason: string): void
}

export interface SharedWatch {
  /** True between a synced() and the next stale(). */
  isSynced(): boolean
  /** Milliseconds since the view was last known current; 0 while synced. */
  stalenessMs(): number
  /** Stops watching; resolves when no subscriber will be called again. */
  close(): Promise<void>
}
