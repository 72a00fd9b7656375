// The per-target block index: a subscriber of the shared WorkflowExecution watch (src/watch/) that
// keeps only what the target-block rules and `wfe-admission blocks` need: per target, the executions
// that block it, the cleared ones (who/when/why), and the pre-execution failures since its last
// Completed execution. Everything else an execution holds is dropped on arrival, so 100,000
// executions cost a map entry each for the few that failed, and one number per target that
// completed. Server, `check --cluster-state` and the CLI build it through the same upsert().
import type { BlockingExecution, BlockView, ClearedExecution, TargetState } from '../api/target-block.js'
import { targetKey } from '../api/target-block.js'
import { Phase, type WorkflowExecution } from '../api/workflowexecution.js'
import { isRecord } from '../api/json.js'
import { blockInForce, isCleared } from '../rules/clearance-lifting.js'
import { ANNOTATION_CLEAR, ANNOTATION_CLEAR_AT, ANNOTATION_CLEAR_BY, ClearMethod } from '../api/workflowexecution.js'
import type { WatchSubscriber } from '../watch/contract.js'

type Held =
  | { what: 'blocking'; key: string; entry: BlockingExecution }
  | { what: 'cleared'; key: string; entry: ClearedExecution }
  | { what: 'pre'; key: string; entry: BlockingExecution; failedAtMs: number }

interface Target {
  blocking: BlockingExecution[]
  cleared: ClearedExecution[]
  pre: Map<string, { entry: BlockingExecution; failedAtMs: number }>
}

/** A row of `wfe-admission blocks`. */
export interface BlockRow {
  state: 'blocked' | 'cleared'
  execution: BlockingExecution | ClearedExecution
}

export interface BlockIndex extends WatchSubscriber, BlockView {
  /** Targets with at least one block in force. */
  blockedTargets(): number
  /** failedAt (ms) of the oldest block in force, for the "blocked too long" alert; undefined when none. */
  oldestBlockMs(): number | undefined
  /** Every block in force (and with `all`, every cleared one), optionally of executions in one namespace. */
  rows(options?: { namespace?: string | undefined; all?: boolean }): BlockRow[]
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/** uid when the apiserver gave one; namespace/name for hand-written state files. */
function idOf(w: { metadata?: { uid?: unknown; namespace?: unknown; name?: unknown } }): string {
  const uid = str(w.metadata?.uid)
  return uid !== '' ? uid : `${str(w.metadata?.namespace)}/${str(w.metadata?.name)}`
}

function executionOf(w: WorkflowExecution, target: string): BlockingExecution {
  const fd: unknown = (w.status as unknown as Record<string, unknown> | undefined)?.['failureDetails']
  const d = isRecord(fd) ? fd : {}
  return {
    namespace: str(w.metadata?.namespace),
    name: str(w.metadata?.name),
    uid: str(w.metadata?.uid),
    target,
    failedAt: str(d['failedAt']),
    reason: str(d['reason']),
    naturalLanguageSummary: str(d['naturalLanguageSummary']),
  }
}

function clearedOf(w: WorkflowExecution, base: BlockingExecution): ClearedExecution {
  const bc: unknown = (w.status as unknown as Record<string, unknown> | undefined)?.['blockClearance']
  if (isRecord(bc) && str(bc['clearedBy']) !== '')
    return {
      ...base,
      clearedBy: str(bc['clearedBy']),
      clearedAt: str(bc['clearedAt']),
      clearReason: str(bc['clearReason']),
      clearMethod: str(bc['clearMethod']),
    }
  const ann = w.metadata?.annotations ?? {}
  return {
    ...base,
    clearedBy: str(ann[ANNOTATION_CLEAR_BY]),
    clearedAt: str(ann[ANNOTATION_CLEAR_AT]),
    clearReason: str(ann[ANNOTATION_CLEAR]),
    clearMethod: ClearMethod.Annotation,
  }
}

function ms(text: string): number {
  const t = Date.parse(text)
  return Number.isNaN(t) ? 0 : t
}

/** Newest failure first, so the rule names the latest and `blocks` lists in a stable order. */
function byFailedAtDesc(a: BlockingExecution, b: BlockingExecution): number {
  return ms(b.failedAt) - ms(a.failedAt) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)
}

export function createBlockIndex(options: { now?: () => Date } = {}): BlockIndex {
  const now = options.now ?? (() => new Date())
  const held = new Map<string, Held>()
  const targets = new Map<string, Target>()
  /** Latest completion (ms) per target: pre-execution failures before it no longer count. */
  const lastCompleted = new Map<string, number>()
  let blocked = 0
  let isSynced = false
  let everSynced = false
  let staleSince: Date | undefined

  const targetFor = (key: string): Target => {
    let t = targets.get(key)
    if (t === undefined) targets.set(key, (t = { blocking: [], cleared: [], pre: new Map() }))
    return t
  }
  const dropIfEmpty = (key: string, t: Target): void => {
    if (t.blocking.length === 0 && t.cleared.length === 0 && t.pre.size === 0) targets.delete(key)
  }
  const forget = (id: string): void => {
    const h = held.get(id)
    if (h === undefined) return
    held.delete(id)
    const t = targets.get(h.key)
    if (t === undefined) return
    if (h.what === 'blocking') {
      t.blocking = t.blocking.filter((e) => e !== h.entry)
      if (t.blocking.length === 0) blocked--
    } else if (h.what === 'cleared') t.cleared = t.cleared.filter((e) => e !== h.entry)
    else t.pre.delete(id)
    dropIfEmpty(h.key, t)
  }

  return {
    name: 'block-index',
    upsert(w) {
      const id = idOf(w)
      forget(id)
      const spec: unknown = w.spec
      const target = isRecord(spec) ? str(spec['targetResource']) : ''
      const key = targetKey(target)
      if (key === undefined) return
      const status: unknown = w.status
      const phase = isRecord(status) ? status['phase'] : undefined
      if (phase === Phase.Completed) {
        const at = ms(str(isRecord(status) ? status['completionTime'] : '')) || ms(str(w.metadata?.['creationTimestamp']))
        if (at > (lastCompleted.get(key) ?? 0)) lastCompleted.set(key, at)
        return
      }
      const fd = isRecord(status) ? status['failureDetails'] : undefined
      if (phase !== Phase.Failed || !isRecord(fd)) return
      const entry = executionOf(w, target)
      const t = targetFor(key)
      if (blockInForce(w)) {
        if (t.blocking.length === 0) blocked++
        t.blocking = [...t.blocking, entry].sort(byFailedAtDesc)
        held.set(id, { what: 'blocking', key, entry })
      } else if (fd['wasExecutionFailure'] === true && isCleared(w)) {
        const c = clearedOf(w, entry)
        t.cleared.push(c)
        held.set(id, { what: 'cleared', key, entry: c })
      } else if (fd['wasExecutionFailure'] !== true) {
        const failedAtMs = ms(entry.failedAt) || ms(str(w.metadata?.['creationTimestamp']))
        t.pre.set(id, { entry, failedAtMs })
        held.set(id, { what: 'pre', key, entry, failedAtMs })
      }
      dropIfEmpty(key, t)
    },
    remove(w) {
      forget(idOf(w))
    },
    synced() {
      isSynced = true
      everSynced = true
      staleSince = undefined
    },
    stale() {
      if (isSynced || staleSince === undefined) staleSince = now()
      isSynced = false
    },
    lookup(targetResource): TargetState | undefined {
      const key = targetKey(targetResource)
      const t = key === undefined ? undefined : targets.get(key)
      if (key === undefined || t === undefined) return undefined
      const since = lastCompleted.get(key) ?? 0
      let failures = 0
      let last: { entry: BlockingExecution; failedAtMs: number } | undefined
      for (const p of t.pre.values()) {
        if (p.failedAtMs <= since) continue
        failures++
        if (last === undefined || p.failedAtMs > last.failedAtMs) last = p
      }
      if (t.blocking.length === 0 && last === undefined) return undefined
      return {
        blocking: t.blocking,
        ...(last === undefined ? {} : { preExecution: { failures, lastFailedAtMs: last.failedAtMs, last: last.entry } }),
      }
    },
    isSynced: () => isSynced,
    staleSince: () => staleSince,
    everSynced: () => everSynced,
    blockedTargets: () => blocked,
    oldestBlockMs() {
      let oldest: number | undefined
      for (const t of targets.values()) {
        for (const b of t.blocking) {
          const at = ms(b.failedAt)
          if (at > 0 && (oldest === undefined || at < oldest)) oldest = at
        }
      }
      return oldest
    },
    rows(opts = {}) {
      const out: BlockRow[] = []
      for (const t of targets.values()) {
        for (const b of t.blocking)
          if (opts.namespace === undefined || b.namespace === opts.namespace) out.push({ state: 'blocked', execution: b })
        if (opts.all === true)
          for (const c of t.cleared)
            if (opts.namespace === undefined || c.namespace === opts.namespace) out.push({ state: 'cleared', execution: c })
      }
      return out.sort((a, b) => (a.state === b.state ? byFailedAtDesc(a.execution, b.execution) : a.state === 'blocked' ? -1 : 1))
    },
  }
}
