import t from 'tap'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { collectAfter, LARGE_REVIEW_BYTES } from '../../src/server/heap.js'

t.test('a large review is followed by a full collection (observed as a major GC entry)', async (t) => {
  let majors = 0
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as unknown as { detail?: { kind?: number } }[])
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++
  })
  observer.observe({ entryTypes: ['gc'] })
  t.teardown(() => observer.disconnect())
  collectAfter(LARGE_REVIEW_BYTES)
  await new Promise<void>((resolve) => {
    const poll = (): void => {
      if (majors > 0) resolve()
      else setImmediate(poll)
    }
    poll()
  })
  t.ok(majors > 0)
})
