// The audit trail, written after the commit: every replica watches WorkflowExecutions (read-only)
// and, for each clearance a stored object records (and each deletion of a still-blocked one),
// creates one Event whose name is derived from the clearance. The apiserver lets exactly one create
// of a name succeed, so across replicas and restarts one Event exists per clearance, and the audit
// line is written by the replica whose create succeeded. A write refused after admission is never
// stored, never watched, never recorded. The client library is imported only when the watch starts.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { CoreV1Event } from '@kubernetes/client-node'
import type { BlockClearedEffect } from '../admission/types.js'
import type { WorkflowExecution } from '../api/workflowexecution.js'
import { startSharedWatch } from '../watch/start.js'
import { auditSubscriber } from './audit-subscriber.js'
import { auditLogger, type EffectLogger } from './audit.js'
import type { EffectHooks } from './contract.js'
import { abortable, loadKubeConfig, type EventWriterOptions } from './events.js'
import { CLEARED, clearanceKey, clearancesOf, deletionOf, eventName, recordEvent, type StoredRecord } from './stored-clearance.js'

/** Marks the Events this process created, so a create whose answer was lost is still known as ours. */
export const WRITER_ANNOTATION = 'wfe-admission.kubernaut.ai/writer'
/** apiserver --event-ttl defaults to 1h; past it an Event is gone and a replayed create would duplicate it. */
export const DEFAULT_REPLAY_WINDOW_MS = 50 * 60 * 1000
export const DEFAULT_PENDING_TIMEOUT_MS = 30 * 1000
const RETRIES = 5
const REMEMBERED = 10_000

/** The two calls the sink makes; the watch binds them to the client, tests to anything. */
export interface EventsApi {
  /** Resolves when created; rejects with `{ code: 409 }` (or an error carrying it) when the name exists. */
  create(event: CoreV1Event): Promise<void>
  read(namespace: string, name: string): Promise<CoreV1Event>
}

export interface AuditSinkOptions {
  logger: EffectLogger
  api: EventsApi
  instance?: string
  hooks?: EffectHooks | undefined
  replayWindowMs?: number
  pendingTimeoutMs?: number
  now?: () => Date
  /** Delay before retry `n` (1-based); tests pass 0. */
  backoffMs?: (n: number) => number
}

export interface AuditSink {
  /** A stored object as the watch delivers it. */
  observe(kind: 'upsert' | 'delete', object: WorkflowExecution): void
  /** A clearance this replica admitted; its commit has not been observed yet. */
  expect(effect: BlockClearedEffect): void
  /** Resolves when every record started so far is settled. */
  settled(): Promise<void>
  stop(): void
}

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | null
  const c = e?.code ?? e?.statusCode
  return typeof c === 'number' ? c : undefined
}

export function createAuditSink(options: AuditSinkOptions): AuditSink {
  const { logger, api } = options
  const audit = auditLogger(logger)
  const instance = options.instance ?? hostname()
  const writer = `${instance}/${randomBytes(6).toString('hex')}`
  const window = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS
  const pendingTimeout = options.pendingTimeoutMs ?? DEFAULT_PENDING_TIMEOUT_MS
  const now = options.now ?? (() => new Date())
  const backoff = options.backoffMs ?? ((n: number) => 500 * 2 ** n)
  const done = new Set<string>()
  const busy = new Map<string, Promise<void>>()
  const timers = new Set<NodeJS.Timeout>()
  const pending = new Map<string, { effect: BlockClearedEffect; timer: NodeJS.Timeout }>()
  let stopped = false

  const count = (result: 'success' | 'error'): void => {
    try {
      options.hooks?.event?.(result)
    } catch (err) {
      logger.warn({ err }, 'effect hook threw')
    }
  }
  const remember = (key: string): void => {
    done.add(key)
    if (done.size > REMEMBERED) done.delete(done.values().next().value as string)
  }

  const line = (r: StoredRecord, admitted: BlockClearedEffect | undefined): void => {
    const actor: Record<string, unknown> = { username: r.actor ?? admitted?.actor.username ?? null }
    if (admitted?.actor.uid !== undefined) actor['uid'] = admitted.actor.uid
    if (admitted?.actor.groups !== undefined) actor['groups'] = [...admitted.actor.groups]
    const fields: Record<string, unknown> = {
      event: r.type,
      actor,
      resource: r.resource,
      correlationId: r.correlationId,
      eventName: eventName(r),
      observedBy: instance,
    }
    if (r.type === CLEARED) Object.assign(fields, { reason: r.reason, method: r.method, clearedAt: r.at })
    else fields['deletedAt'] = r.at
    if (admitted !== undefined) fields['admissionUid'] = admitted.admissionUid
    audit.info(fields, r.type === CLEARED ? 'workflowexecution block cleared' : 'workflowexecution deleted while blocked')
  }

  const attempt = async (r: StoredRecord, admitted: BlockClearedEffect | undefined): Promise<void> => {
    const event = recordEvent(r, instance)
    event.metadata = { ...event.metadata, annotations: { [WRITER_ANNOTATION]: writer } }
    try {
      await api.create(event)
    } catch (err) {
      if (statusCode(err) !== 409) throw err
      // Someone created it: another replica, an earlier run, or this process with the answer lost.
      const existing = await api.read(r.resource.namespace, eventName(r))
      if (existing.metadata?.annotations?.[WRITER_ANNOTATION] !== writer) {
        if (admitted !== undefined)
          logger.info(
            { event: r.type, resource: r.resource, admissionUid: admitted.admissionUid, eventName: eventName(r) },
            'block clearance admitted here is stored; its audit record was written by another replica',
          )
        return
      }
    }
    count('success')
    line(r, admitted)
  }

  const record = (r: StoredRecord): void => {
    if (stopped || done.has(r.key) || busy.has(r.key)) return
    const admitted = pending.get(r.key)
    if (admitted !== undefined) {
      clearTimeout(admitted.timer)
      pending.delete(r.key)
    }
    const age = now().getTime() - Date.parse(r.at)
    if (age > window) {
      // Older than the Events' lifetime: recorded when it happened, or during an outage longer than the window.
      remember(r.key)
      return
    }
    const run = async (): Promise<void> => {
      for (let n = 1; ; n++) {
        try {
          await attempt(r, admitted?.effect)
          remember(r.key)
          return
        } catch (err) {
          count('error')
          const last = n >= RETRIES || stopped
          logger.warn(
            { event: r.type, resource: r.resource, eventName: eventName(r), attempt: n, err },
            last
              ? 'audit record not written: the Event could not be created (it is retried when the object is next observed)'
              : 'audit Event create failed; retrying',
          )
          if (last) return
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              timers.delete(timer)
              resolve()
            }, backoff(n))
            timers.add(timer)
          })
        }
      }
    }
    const p = run().finally(() => busy.delete(r.key))
    busy.set(r.key, p)
  }

  return {
    observe(kind, object) {
      if (kind === 'delete') {
        const d = deletionOf(object, now())
        if (d !== undefined) record(d)
        return
      }
      for (const r of clearancesOf(object)) record(r)
    },
    expect(effect) {
      const key = clearanceKey(effect.resource.uid ?? '', effect.actor.username, effect.time, effect.reason)
      if (stopped || done.has(key) || busy.has(key) || pending.has(key)) return
      const timer = setTimeout(() => {
        pending.delete(key)
        logger.warn(
          {
            event: effect.type,
            resource: effect.resource,
            admissionUid: effect.admissionUid,
            actor: { username: effect.actor.username },
            waitedMs: pendingTimeout,
          },
          "block clearance admitted but not observed stored: if it never is, the write failed after admission (a conflict, another webhook, the CRD's own validation) and there is no audit record for it",
        )
      }, pendingTimeout)
      timer.unref()
      pending.set(key, { effect, timer })
    },
    settled: async () => {
      while (busy.size > 0) await Promise.allSettled([...busy.values()])
    },
    stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      for (const p of pending.values()) clearTimeout(p.timer)
      pending.clear()
    },
  }
}

export interface AuditWatch extends AuditSink {
  /** Stops the watch and the sink. */
  close(): Promise<void>
}

export type AuditWatchOptions = Omit<AuditSinkOptions, 'api'> &
  Pick<EventWriterOptions, 'kubeconfigPath' | 'inCluster' | 'timeoutMs'> & { restartMs?: number }

/** The sink bound to the configured cluster's Events API; undefined when no API is configured. */
export async function startAuditSink(options: AuditWatchOptions): Promise<AuditSink | undefined> {
  const loaded = await loadKubeConfig(options)
  if (loaded === undefined) return undefined
  const { k8s, kc } = loaded
  const core = kc.makeApiClient(k8s.CoreV1Api)
  const call = <T>(f: (opts: object) => Promise<T>): Promise<T> => f(abortable(kc, AbortSignal.timeout(options.timeoutMs)))
  return createAuditSink({
    ...options,
    api: {
      create: async (body) => {
        await call((o) => core.createNamespacedEvent({ namespace: body.metadata?.namespace ?? '', body }, o as never))
      },
      read: (namespace, name) => call((o) => core.readNamespacedEvent({ namespace, name }, o as never)),
    },
  })
}

/**
 * The sink fed by a shared watch of its own; undefined when no API is configured. `serve` feeds the
 * sink from the one shared watch it also runs the block index on (src/cli/commands/serve.ts).
 */
export async function startAuditWatch(options: AuditWatchOptions): Promise<AuditWatch | undefined> {
  const sink = await startAuditSink(options)
  if (sink === undefined) return undefined
  const watch = await startSharedWatch({
    ...options,
    subscribers: [auditSubscriber(sink, options.logger, options.instance)],
  })
  return {
    ...sink,
    close: async () => {
      sink.stop()
      await watch?.close()
      await sink.settled()
    },
  }
}
