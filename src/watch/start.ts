// startSharedWatch(): the one list+watch of WorkflowExecutions per replica (contract.ts), over the
// configured Kubernetes API. LIST pages come through kubeRequest (status codes and Status messages
// intact: a 410 on an expired continue token restarts the list), the WATCH through
// @kubernetes/client-node's Watch, which streams events without keeping objects (its informer would
// keep every one: not used). The client library is imported only when an API is configured.
import { GROUP, RESOURCE, VERSION } from '../api/workflowexecution.js'
import { loadKubeConfig } from '../kube/config.js'
import { kubeRequest } from '../kube/request.js'
import type { SharedWatch, WatchSubscriber } from './contract.js'
import { runWatchLoop, type ListPage, type WatchLogger, type WatchTransport } from './loop.js'

export interface SharedWatchOptions {
  kubeconfigPath?: string | undefined
  inCluster?: boolean | undefined
  /** Upper bound for one LIST page. */
  timeoutMs: number
  logger: WatchLogger
  subscribers: readonly WatchSubscriber[]
  /** First delay before relisting after a failure (doubles up to 30 s). */
  restartMs?: number
  pageSize?: number
}

const PATH = `/apis/${GROUP}/${VERSION}/${RESOURCE}`

/** Undefined when no API is configured (no --kubeconfig and not in a pod). */
export async function startSharedWatch(options: SharedWatchOptions): Promise<SharedWatch | undefined> {
  const loaded = await loadKubeConfig(options)
  if (loaded === undefined) return undefined
  const { k8s, kc } = loaded
  const watcher = new k8s.Watch(kc)
  const transport: WatchTransport = {
    list: async (limit, token, signal) => {
      const q = new URLSearchParams({ limit: String(limit) })
      if (token !== undefined) q.set('continue', token)
      const page = await kubeRequest<{ items?: ListPage['items']; metadata?: { resourceVersion?: string; continue?: string } }>(kc, {
        path: `${PATH}?${q.toString()}`,
        timeoutMs: options.timeoutMs,
        signal,
      })
      return { items: page.items ?? [], resourceVersion: page.metadata?.resourceVersion ?? '', continue: page.metadata?.continue }
    },
    watch: async (resourceVersion, onEvent, onEnd) => {
      // The server ends each watch after 5 to 10 minutes (as client-go's reflector asks), and the loop
      // carries on from the last resourceVersion: a half-open connection cannot hang forever.
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300)
      const controller = await watcher.watch(
        PATH,
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (type: string, object: unknown) => onEvent(type, object),
        (err: unknown) => onEnd(err ?? null),
      )
      return () => controller.abort()
    },
  }
  return runWatchLoop({
    transport,
    subscribers: options.subscribers,
    logger: options.logger,
    idleMs: 11 * 60 * 1000,
    ...(options.restartMs === undefined ? {} : { restartMs: options.restartMs }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  })
}
