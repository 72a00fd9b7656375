// A clearance annotation written under a slightly wrong key (`kubernaut.ai/clear_execution_block`,
// `www.kubernaut.ai/clear-execution-block`, `kubernaut.ai/clear-excution-block`) is a valid key the
// apiserver stores and nobody reads: the operator believes the block cleared while it stays in
// force. Case variants are refused outright (clearance-annotations.ts); these are warned, naming
// the real key, since a key of that shape may be someone else's on purpose.
import { forbidden, type FieldError } from '../admission/field.js'
import { ANNOTATION_CLEAR, ANNOTATION_CLEAR_AT, ANNOTATION_CLEAR_BY } from '../api/workflowexecution.js'
import { defineRule } from '../admission/rule-contract.js'
import { annotationsOf } from './field-values.js'

const REAL_KEYS = [ANNOTATION_CLEAR, ANNOTATION_CLEAR_BY, ANNOTATION_CLEAR_AT]
/** Typos this far from the name part are near misses; farther, the key is something else. */
const MAX_EDITS = 2

/** Levenshtein distance, bounded: returns max + 1 as soon as it cannot be at most `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
      row.push(v)
      best = Math.min(best, v)
    }
    if (best > max) return max + 1
    prev = row
  }
  return prev[b.length] as number
}

function split(key: string): { prefix: string; name: string } {
  const slash = key.lastIndexOf('/')
  return slash < 0 ? { prefix: '', name: key } : { prefix: key.slice(0, slash), name: key.slice(slash + 1) }
}

/** The real clearance key `key` is a near miss of, or undefined (exact keys and case variants included). */
export function nearMissOf(key: string): string | undefined {
  if (REAL_KEYS.some((k) => k.toLowerCase() === key.toLowerCase())) return undefined
  const given = split(key.toLowerCase())
  const name = given.name.replace(/_/g, '-')
  let found: { key: string; d: number } | undefined
  for (const real of REAL_KEYS) {
    const r = split(real)
    const d = editDistance(name, r.name, MAX_EDITS)
    // Another prefix (or none) with the same name is a near miss; so is the right prefix with a typo.
    const prefixClose =
      d === 0 ||
      given.prefix === '' ||
      given.prefix.endsWith(`.${r.prefix}`) ||
      editDistance(given.prefix, r.prefix, MAX_EDITS) <= MAX_EDITS
    if (d <= MAX_EDITS && prefixClose && (found === undefined || d < found.d)) found = { key: real, d }
  }
  return found?.key
}

export const clearAnnotationNearMiss = defineRule({
  id: 'clear-annotation-near-miss',
  description: `an added annotation whose key is close to ${ANNOTATION_CLEAR} (or -by, -at) but not it is warned about, naming the real key`,
  kind: 'validate',
  severity: 'warn',
  operations: ['CREATE', 'UPDATE'],
  subresources: [''],
  field: 'metadata.annotations',
  ratchet: 'never',
  check: (ctx) => {
    const old = annotationsOf(ctx.oldObject)
    const out: FieldError[] = []
    for (const key of Object.keys(annotationsOf(ctx.object))) {
      if (key in old) continue
      const real = nearMissOf(key)
      if (real === undefined) continue
      out.push(
        forbidden(`metadata.annotations[${key}]`, `this key is not read by anyone, so the block is NOT cleared: did you mean ${real}?`),
      )
      if (out.length >= 4) break
    }
    return out
  },
})
