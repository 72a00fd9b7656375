// What the target-block rules read about other WorkflowExecutions: a read-only view of the block
// index (src/blocks/), injected into the core through AdmissionOptions. Pure types and the target
// key; the index that implements the view lives at the edge and is fed by the shared watch.

/** One execution that failed during execution and is not cleared: the block in force. */
export interface BlockingExecution {
  namespace: string
  name: string
  uid: string
  /** spec.targetResource as the execution wrote it. */
  target: string
  /** failureDetails.failedAt (RFC 3339), or '' when the controller left it out. */
  failedAt: string
  reason: string
  naturalLanguageSummary: string
}

/** An execution failure someone cleared: who, when, how and why (for `blocks --all`). */
export interface ClearedExecution extends BlockingExecution {
  clearedBy: string
  clearedAt: string
  clearReason: string
  clearMethod: string
}

/** Everything the index holds about one target. */
export interface TargetState {
  /** The executions that block the target, newest failure first. */
  blocking: readonly BlockingExecution[]
  /** Pre-execution failures since the target's last Completed execution, and the newest one's failedAt (ms). */
  preExecution?: { failures: number; lastFailedAtMs: number; last: BlockingExecution }
}

/** The view the rules read: O(1) per lookup, whatever the number of executions. */
export interface BlockView {
  /** The target's state, or undefined when nothing blocks or backs it off. */
  lookup(targetResource: string): TargetState | undefined
  /** True once a complete LIST has been handed over, and until the watch breaks. */
  isSynced(): boolean
  /** When the view stopped being known current (the watch broke); undefined while synced or never synced. */
  staleSince(): Date | undefined
  /** True once the view has been synced at least once: a stale view still holds the last known blocks. */
  everSynced(): boolean
}

export type TargetBlockMode = 'deny' | 'warn' | 'off'
export const TARGET_BLOCK_MODES: readonly TargetBlockMode[] = ['deny', 'warn', 'off']

export interface TargetBlockOptions {
  /** deny refuses, warn admits with a warning, off does not look. */
  mode: TargetBlockMode
  /** The block index; undefined when no cluster state is known (review, check without --cluster-state, serve without an API). */
  view: BlockView | undefined
  /** Pre-execution failure backoff (off when undefined): wait base·2^(n-1), at most max, after the latest. */
  backoff?: { baseMs: number; maxMs: number } | undefined
  /** Past this staleness the view is not trusted: CREATEs are admitted with a warning. */
  maxStalenessMs: number
}

/**
 * The lock key of a target as the apiserver's users mean it: kind case-insensitive (`Deployment` =
 * `deployment`), namespace and name exact. Undefined for a value that is not namespace/kind/name or
 * kind/name (target-resource-format refuses those on CREATE).
 */
export function targetKey(targetResource: string): string | undefined {
  const parts = targetResource.split('/')
  if (parts.length === 3) {
    const [ns, kind, name] = parts as [string, string, string]
    return ns === '' || kind === '' || name === '' ? undefined : `${ns}/${kind.toLowerCase()}/${name}`
  }
  if (parts.length === 2) {
    const [kind, name] = parts as [string, string]
    return kind === '' || name === '' ? undefined : `/${kind.toLowerCase()}/${name}`
  }
  return undefined
}
