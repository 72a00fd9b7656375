// What a correct answer to a mix entry is, checked the same way by every load generator: HTTP 200,
// the uid echoed, the expected verdict, and a patch exactly when one is expected (with its type).
import type { MixEntry } from './mix.js'

export interface Expectation {
  uid: string
  allowed: boolean
  patched: boolean
}

/** A mix entry as it crosses to a generator process: the body already serialised. */
export interface WireEntry {
  name: string
  path: string
  body: string
  /** Absent for the baseline, whose fixed answer is not a verdict on the review. */
  expect?: Expectation
}

export function toWire(entries: readonly MixEntry[], check = true): WireEntry[] {
  return entries.map((e) => {
    const w: WireEntry = { name: e.name, path: e.path, body: JSON.stringify(e.review) }
    if (check) w.expect = { uid: e.review.request!.uid, ...e.expect }
    return w
  })
}

/** undefined when the answer is correct, otherwise what is wrong with it. */
export function checkAnswer(status: number, body: string, e: Expectation | undefined): string | undefined {
  if (status !== 200) return `HTTP ${status}`
  if (e === undefined) return undefined
  let r: Record<string, unknown> | undefined
  try {
    r = (JSON.parse(body) as { response?: Record<string, unknown> }).response
  } catch {
    return 'the body is not JSON'
  }
  if (r === undefined) return 'no response in the AdmissionReview'
  if (r['uid'] !== e.uid) return `uid ${String(r['uid'])}, sent ${e.uid}`
  if (r['allowed'] !== e.allowed) return `allowed ${String(r['allowed'])}, expected ${e.allowed}`
  const patched = r['patch'] !== undefined
  if (patched !== e.patched) return patched ? 'an unexpected patch' : 'no patch where one was expected'
  if (patched !== (r['patchType'] === 'JSONPatch')) return 'patch and patchType not together'
  return undefined
}
