// How `wfe-admission blocks` prints: a kubectl-style table (wide adds the full summary and the
// clear reason), or a List for -o json|yaml that scripts can read.
import { stringify } from 'yaml'
import type { ClearedExecution } from '../../api/target-block.js'
import type { BlockRow } from '../../blocks/block-index.js'

export interface BlockItem {
  target: string
  state: 'blocked' | 'cleared'
  execution: { namespace: string; name: string; uid: string }
  failedAt: string
  reason: string
  naturalLanguageSummary: string
  cleared?: { by: string; at: string; reason: string; method: string }
}

export function blockItems(rows: readonly BlockRow[]): BlockItem[] {
  return rows.map(({ state, execution: e }) => {
    const item: BlockItem = {
      target: e.target,
      state,
      execution: { namespace: e.namespace, name: e.name, uid: e.uid },
      failedAt: e.failedAt,
      reason: e.reason,
      naturalLanguageSummary: e.naturalLanguageSummary,
    }
    if (state === 'cleared') {
      const c = e as ClearedExecution
      item.cleared = { by: c.clearedBy, at: c.clearedAt, reason: c.clearReason, method: c.clearMethod }
    }
    return item
  })
}

/** kubectl's age: 45s, 12m, 5h, 3d. */
export function age(since: string, now: Date): string {
  const t = Date.parse(since)
  if (Number.isNaN(t)) return '<unknown>'
  const s = Math.max(0, Math.floor((now.getTime() - t) / 1000))
  if (s < 120) return `${s}s`
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86400)}d`
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`
}

export function blocksTable(items: readonly BlockItem[], options: { wide: boolean; all: boolean; now: Date }): string {
  const header = ['TARGET', 'EXECUTION', 'STATE', 'REASON', 'FAILED AT', 'AGE', 'SUMMARY']
  if (options.all) header.push('CLEARED BY', 'CLEARED AT')
  if (options.wide && options.all) header.push('CLEAR REASON')
  const rows = items.map((i) => {
    const row = [
      i.target,
      `${i.execution.namespace}/${i.execution.name}`,
      i.state,
      i.reason || '<none>',
      i.failedAt || '<unknown>',
      age(i.failedAt, options.now),
      options.wide ? i.naturalLanguageSummary : truncate(i.naturalLanguageSummary, 60),
    ]
    if (options.all) row.push(i.cleared?.by ?? '', i.cleared?.at ?? '')
    if (options.wide && options.all) row.push(i.cleared?.reason ?? '')
    return row
  })
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  return (
    [header, ...rows].map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('   ')).join('\n') +
    '\n'
  )
}

export function blocksDocument(items: readonly BlockItem[], format: 'json' | 'yaml'): string {
  const list = { apiVersion: 'wfe-admission.kubernaut.ai/v1', kind: 'BlockList', items }
  return format === 'json' ? `${JSON.stringify(list, null, 2)}\n` : stringify(list)
}
