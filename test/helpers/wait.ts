// Waiting for an event, never for time.

/**
 * Polls `check` until it holds, and returns true. No deadline of its own: a condition that never
 * holds is a failure the test's timeout reports, never a guess about how slow the machine is.
 */
export async function waitFor(check: () => boolean | Promise<boolean>): Promise<boolean> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20))
  return true
}
