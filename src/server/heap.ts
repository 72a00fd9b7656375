// After a large review, a full garbage collection at once instead of when V8 chooses. V8 lets the old
// generation grow to its cap (--max-old-space-size) before a full collection, so the garbage of two or
// three large reviews stacks up to the cap; with the code and native memory outside the heap (larger on
// Node 22) that crossed 75 % of the Deployment's limit in test/server/memory-budget.test.ts. Reviews of
// this size are rare (ordinary ones are 2-6 KiB), so the pause (tens of ms) is paid rarely.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Reviews at least this large are followed by a full collection once their answer is finished. */
export const LARGE_REVIEW_BYTES = 4 * 1024 * 1024

function loadGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  // Node's documented way to reach gc() without a command-line flag: the flag set at run time, then
  // read from a fresh context (the current one was created without it).
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

let gc: (() => void) | undefined
let pending = false

/** Schedules one full collection (coalesced) once the event loop has finished the current work. */
export function collectAfter(bytes: number): void {
  if (bytes < LARGE_REVIEW_BYTES || pending) return
  pending = true
  setImmediate(() => {
    pending = false
    gc ??= loadGc()
    gc()
  })
}
