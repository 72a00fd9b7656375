// The bytes of review bodies being read and judged at once, bounded. A socket limit would not bound
// memory: one maximal review (28 MiB) costs as much as 3,000 ordinary ones. A review claims its
// Content-Length before its body is read and gives it back when its answer is finished; one that
// does not fit waits, its body unread (node stops reading a socket whose request stream is not
// consumed, so a waiting review holds a few KiB, not its body). Four concurrent maximal reviews are
// therefore judged one or two at a time instead of all four stacking in the heap.
import { MAX_REVIEW_BYTES } from '../admission/review.js'

const MiB = 1024 * 1024

/** The Deployment's container memory limit (manifests/base/deployment.yaml, charts values.yaml). */
export const DEPLOYMENT_MEMORY_LIMIT_BYTES = 256 * MiB
/** RSS the process may reach: 75 % of the limit, the rest is headroom before the OOM killer. */
export const RSS_CEILING_BYTES = 0.75 * DEPLOYMENT_MEMORY_LIMIT_BYTES
/**
 * RSS outside V8's old generation, measured under load with the shipped flags (docs/performance.md,
 * `npm run bench` step 6): file-backed pages (node binary, mapped code) ~42 MiB, native memory (malloc
 * arenas, TLS and socket buffers) ~20 MiB, the young generation (--max-semi-space-size=4) ~12 MiB.
 */
export const OUTSIDE_OLD_SPACE_BYTES = (42 + 20 + 12) * MiB
/**
 * The old generation's cap, --max-old-space-size in the Deployment's NODE_OPTIONS: at most the
 * ceiling less what lives outside it (192 − 74 = 118 MiB), so RSS stays under the ceiling whatever
 * the heap holds. V8 collects garbage before it would pass the cap; it fails only on live data. 104,
 * not 118 or the 112 it was: with issues 19-22 merged, outside-the-heap memory under four concurrent
 * 20 MiB reviews reached ~80 MiB and the memory-budget test peaked at 191-192 MiB in a third of runs.
 */
export const OLD_SPACE_CAP_BYTES = 104 * MiB
/** Old generation live between reviews under ordinary load (V8 heap used, bench step 6: 20–26 MiB). */
export const STEADY_HEAP_BYTES = 26 * MiB
/**
 * Heap per byte of review body while it is judged: the text arrives in pieces (read-body.ts), is
 * flattened into one string for JSON.parse (pieces and flat string: 2 bytes per byte of an ASCII
 * body), plus the parsed tree and the copies admit() makes. The largest reviews are Go-escaped
 * strings (`\u003c`: six bytes of body per character) whose tree is a sixth of the body: 2.5 kept.
 */
export const HEAP_BYTES_PER_BODY_BYTE = 2.5

/**
 * The default budget: what the old generation holds beyond its steady content, per body byte:
 * (104 − 26) MiB / 2.5 = 31.2 MiB. At least the largest review the apiserver can send
 * (MAX_REVIEW_BYTES, 28 MiB), since a smaller budget would refuse a write the apiserver allows.
 */
export const DEFAULT_REVIEW_BYTES_IN_FLIGHT = Math.max(
  MAX_REVIEW_BYTES,
  Math.floor((OLD_SPACE_CAP_BYTES - STEADY_HEAP_BYTES) / HEAP_BYTES_PER_BODY_BYTE),
)

interface Waiter {
  bytes: number
  grant: () => void
  granted: boolean
}

export interface BodyBudget {
  readonly capacity: number
  /** Bytes claimed by reviews being read or judged now. */
  readonly inFlight: number
  /** Reviews waiting for room. */
  readonly waiting: number
  /**
   * Claims `bytes` (at most the capacity); `grant` runs now if they fit, else once they do. The
   * returned function gives the bytes back, or withdraws the claim if it is still waiting; calling
   * it again does nothing.
   */
  claim(bytes: number, grant: () => void): () => void
}

/**
 * First come, first served, with one exception that keeps ordinary traffic moving: a review of at
 * most 1/64 of the capacity (448 KiB by default; ordinary reviews are ~10 KiB) that fits goes ahead
 * even while a large one waits. It can delay the large one only while small ones fill the whole
 * remaining room, thousands at once, which an apiserver does not send.
 */
export function createBodyBudget(capacity = DEFAULT_REVIEW_BYTES_IN_FLIGHT): BodyBudget {
  if (!(capacity >= MAX_REVIEW_BYTES))
    throw new RangeError(`review body budget ${capacity} bytes is smaller than the largest review (${MAX_REVIEW_BYTES} bytes)`)
  const small = capacity / 64
  const queue: Waiter[] = []
  let inFlight = 0

  const drain = (): void => {
    while (queue.length > 0 && inFlight + queue[0]!.bytes <= capacity) {
      const w = queue.shift()!
      w.granted = true
      inFlight += w.bytes
      w.grant()
    }
  }

  return {
    capacity,
    get inFlight() {
      return inFlight
    },
    get waiting() {
      return queue.length
    },
    claim(requested, grant) {
      const bytes = Math.min(Math.max(0, requested), capacity)
      if (inFlight + bytes <= capacity && (queue.length === 0 || bytes <= small)) {
        inFlight += bytes
        let released = false
        grant()
        return () => {
          if (released) return
          released = true
          inFlight -= bytes
          drain()
        }
      }
      const w: Waiter = { bytes, grant, granted: false }
      queue.push(w)
      let released = false
      return () => {
        if (released) return
        released = true
        if (w.granted) {
          inFlight -= bytes
          drain()
        } else {
          queue.splice(queue.indexOf(w), 1)
          // The head may have been what kept the others waiting.
          drain()
        }
      }
    },
  }
}
