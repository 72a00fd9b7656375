// The list+watch state machine behind the shared watch, over any transport (the apiserver in
// start.ts, a fake in tests). A paginated LIST hands every stored object to the subscribers, then
// a WATCH from the list's resourceVersion (with bookmarks) keeps them current. A 410 Gone (the
// resourceVersion was compacted away) relists at once and reports what vanished meanwhile; any
// other failure marks the view stale and relists after a backoff. Only a key per object is kept
// (namespace/name/uid, to know after a relist what vanished): never an object.
import type { WorkflowExecution } from '../api/workflowexecution.js'
import type { SharedWatch, WatchSubscriber } from './contract.js'

export interface ListPage {
  items: readonly WorkflowExecution[]
  resourceVersion: string
  /** The continue token when more pages follow. */
  continue?: string | undefined
}

/** What the loop needs from an apiserver; errors carry `statusCode` (410 for Gone). */
export interface WatchTransport {
  list(limit: number, continueToken: string | undefined, signal: AbortSignal): Promise<ListPage>
  /**
   * Watches from `resourceVersion`; `onEvent` gets each event in order, `onEnd` once, with null when
   * the server closed the stream normally. Resolves with the function that stops it.
   */
  watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, onEnd: (err: unknown) => void): Promise<() => void>
}

export interface WatchLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface LoopOptions {
  transport: WatchTransport
  subscribers: readonly WatchSubscriber[]
  logger: WatchLogger
  /** First delay before relisting after a failure; doubled per consecutive failure up to maxRestartMs. */
  restartMs?: number
  maxRestartMs?: number
  /** LIST page size (limit). */
  pageSize?: number
  /** Longest silence on a watch (no event, no bookmark) before it is presumed dead and relisted. */
  idleMs?: number
  now?: () => number
}

export const DEFAULT_PAGE_SIZE = 500
const DEFAULT_IDLE_MS = 10 * 60 * 1000

function statusCode(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | null
  const c = e?.statusCode ?? e?.code
  return typeof c === 'number' ? c : undefined
}

function meta(o: unknown): { namespace: string; name: string; uid: string; resourceVersion: string } {
  const m = (o as { metadata?: Record<string, unknown> } | null)?.metadata ?? {}
  const s = (k: string): string => (typeof m[k] === 'string' ? m[k] : '')
  return { namespace: s('namespace'), name: s('name'), uid: s('uid'), resourceVersion: s('resourceVersion') }
}

/** Namespaces and names hold no '/', so one string per object is its key and, split, its identity. */
function keyOf(o: unknown): string {
  const m = meta(o)
  return `${m.namespace}/${m.name}/${m.uid}`
}

export function runWatchLoop(options: LoopOptions): SharedWatch {
  const { transport, subscribers, logger } = options
  const restartMs = options.restartMs ?? 1000
  const maxRestartMs = options.maxRestartMs ?? 30_000
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS
  const now = options.now ?? Date.now
  let keys = new Set<string>()
  let synced = false
  let staleSince = now()
  let closed = false
  let failures = 0
  /** Bumped per list+watch cycle: callbacks of an older cycle are ignored. */
  let cycle = 0
  let timer: NodeJS.Timeout | undefined
  let idle: NodeJS.Timeout | undefined
  let stopWatch: (() => void) | undefined
  let listing: AbortController | undefined
  let running: Promise<void> = Promise.resolve()

  const each = (what: string, f: (s: WatchSubscriber) => void): void => {
    for (const s of subscribers) {
      try {
        f(s)
      } catch (err) {
        logger.warn({ err, subscriber: s.name, call: what }, 'watch subscriber threw; the others are still fed')
      }
    }
  }
  const markStale = (reason: string): void => {
    if (synced) staleSince = now()
    synced = false
    each('stale', (s) => s.stale(reason))
  }
  const schedule = (delayMs: number): void => {
    if (closed) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      running = relist()
    }, delayMs)
  }
  const failed = (err: unknown, during: string): void => {
    if (closed) return
    failures++
    const delayMs = Math.min(maxRestartMs, restartMs * 2 ** (failures - 1))
    const reason = `${during} failed: ${err instanceof Error ? err.message : String(err)}`
    logger.warn({ err, failures, retryInMs: delayMs }, `WorkflowExecution ${during} failed; the view is stale until a relist succeeds`)
    markStale(reason)
    schedule(delayMs)
  }

  const relist = async (): Promise<void> => {
    const mine = ++cycle
    stopWatch?.()
    stopWatch = undefined
    clearTimeout(idle)
    listing = new AbortController()
    const seen = new Set<string>()
    let resourceVersion = ''
    let token: string | undefined
    try {
      for (;;) {
        let page: ListPage
        try {
          page = await transport.list(pageSize, token, listing.signal)
        } catch (err) {
          // The continue token expired mid-list (410): start the list over, from a fresh snapshot.
          if (statusCode(err) === 410 && token !== undefined) {
            token = undefined
            seen.clear()
            continue
          }
          throw err
        }
        if (closed || mine !== cycle) return
        for (const item of page.items) {
          seen.add(keyOf(item))
          each('upsert', (s) => s.upsert(item))
        }
        resourceVersion = page.resourceVersion
        token = page.continue !== undefined && page.continue !== '' ? page.continue : undefined
        if (token === undefined) break
      }
    } catch (err) {
      if (mine === cycle) failed(err, 'list')
      return
    }
    for (const k of keys) {
      if (seen.has(k)) continue
      const [namespace, name, uid] = k.split('/') as [string, string, string]
      const gone = { metadata: { namespace, name, uid } } as unknown as WorkflowExecution
      each('remove', (s) => s.remove(gone, 'relist'))
    }
    keys = seen
    synced = true
    failures = 0
    each('synced', (s) => s.synced(resourceVersion))
    logger.info({ objects: keys.size, resourceVersion }, 'WorkflowExecution list synced; watching')
    await watchFrom(resourceVersion, mine)
  }

  const watchFrom = async (from: string, mine: number): Promise<void> => {
    let resourceVersion = from
    let gone = false
    let events = 0
    const started = now()
    const kick = (): void => {
      clearTimeout(idle)
      idle = setTimeout(() => {
        if (mine !== cycle || closed) return
        // A new cycle first, so the aborted watch's own end is ignored rather than counted twice.
        const stop = stopWatch
        cycle++
        stop?.()
        failed(new Error(`no event or bookmark for ${Math.round(idleMs / 1000)}s`), 'watch')
      }, idleMs)
      idle.unref()
    }
    const onEvent = (type: string, object: unknown): void => {
      if (closed || mine !== cycle) return
      kick()
      events++
      const rv = meta(object).resourceVersion
      if (type === 'ERROR') {
        if (statusCode(object) === 410) gone = true
        return
      }
      if (rv !== '') resourceVersion = rv
      if (type === 'ADDED' || type === 'MODIFIED') {
        keys.add(keyOf(object))
        each('upsert', (s) => s.upsert(object as WorkflowExecution))
      } else if (type === 'DELETED') {
        keys.delete(keyOf(object))
        each('remove', (s) => s.remove(object as WorkflowExecution, 'watch'))
      }
    }
    const onEnd = (err: unknown): void => {
      clearTimeout(idle)
      if (closed || mine !== cycle) return
      if (gone || statusCode(err) === 410) {
        logger.info({ resourceVersion }, 'WorkflowExecution watch expired (410 Gone); relisting')
        markStale('watch expired (410 Gone): relisting')
        running = relist()
      } else if (err === null || err === undefined) {
        // The server ended the watch (its timeout): carry on from the last resourceVersion, still in sync.
        // A watch that ends at once with nothing said is a failure, or this would spin.
        if (events === 0 && now() - started < 1000) failed(new Error('the watch ended at once with nothing said'), 'watch')
        else void watchFrom(resourceVersion, mine)
      } else failed(err, 'watch')
    }
    try {
      kick()
      const stop = await transport.watch(resourceVersion, onEvent, onEnd)
      if (closed || mine !== cycle) stop()
      else stopWatch = stop
    } catch (err) {
      onEnd(err ?? new Error('watch failed'))
    }
  }

  running = relist()
  return {
    isSynced: () => synced,
    stalenessMs: () => (synced ? 0 : Math.max(0, now() - staleSince)),
    close: async () => {
      closed = true
      clearTimeout(timer)
      clearTimeout(idle)
      listing?.abort()
      stopWatch?.()
      await running.catch(() => {})
    },
  }
}
