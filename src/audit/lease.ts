// Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection does (and
// controller-runtime with its defaults: lease 15s, renew deadline 10s, retry 2s). Expiry is judged
// on this process's own clock from when it last saw the record change, never from the holder's
// renewTime, so clock skew between replicas cannot make two leaders. Only the leader records.
import type { AuditApi, LeaseObject } from './api.js'

export interface LeaderElectionTimings {
  leaseDurationMs: number
  renewDeadlineMs: number
  retryPeriodMs: number
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionTimings = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
})

export interface LeaderElectorOptions extends LeaderElectionTimings {
  api: Pick<AuditApi, 'namespace' | 'readLease' | 'createLease' | 'replaceLease'>
  name: string
  identity: string
  onStartedLeading(): void
  onStoppedLeading(): void
  /** Called when a try fails for a reason other than another holder (the API refused or is down). */
  onError(err: unknown): void
  /** Called after every try with whether this process holds the lease. */
  onTry?(leading: boolean, reached: boolean): void
  now?: () => number
}

export interface LeaderElector {
  isLeader(): boolean
  /** Stops trying; a leader releases the lease (holderIdentity cleared) so a follower takes over at once. */
  stop(): Promise<void>
}

function micro(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z')
}

export function startLeaderElector(o: LeaderElectorOptions): LeaderElector {
  const now = o.now ?? Date.now
  let leading = false
  let lastRenew = 0
  let observed: { version: string | undefined; at: number } | undefined
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const spec = (l: LeaseObject | undefined): NonNullable<LeaseObject['spec']> => l?.spec ?? {}

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const t = now()
    const current = await o.api.readLease(o.name)
    const fresh: NonNullable<LeaseObject['spec']> = {
      holderIdentity: o.identity,
      leaseDurationSeconds: Math.ceil(o.leaseDurationMs / 1000),
      acquireTime: micro(t),
      renewTime: micro(t),
      leaseTransitions: 0,
    }
    if (current === undefined) return await o.api.createLease({ metadata: { name: o.name, namespace: o.api.namespace }, spec: fresh })
    const s = spec(current)
    const version = current.metadata.resourceVersion
    if (observed === undefined || observed.version !== version) observed = { version, at: t }
    const holder = s.holderIdentity ?? ''
    const duration = (s.leaseDurationSeconds ?? Math.ceil(o.leaseDurationMs / 1000)) * 1000
    if (holder !== '' && holder !== o.identity && observed.at + duration > t) return false
    const mine = holder === o.identity
    return await o.api.replaceLease({
      ...current,
      spec: {
        ...fresh,
        acquireTime: mine ? (s.acquireTime ?? micro(t)) : micro(t),
        leaseTransitions: (s.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    })
  }

  const tick = async (): Promise<void> => {
    let got = false
    let reached = true
    try {
      got = await tryAcquireOrRenew()
    } catch (err) {
      reached = false
      o.onError(err)
    }
    if (stopped) return
    if (got) {
      lastRenew = now()
      if (!leading) {
        leading = true
        o.onStartedLeading()
      }
    } else if (leading && now() - lastRenew >= o.renewDeadlineMs) {
      // Could not renew within the deadline: another replica may take over once the lease expires.
      leading = false
      o.onStoppedLeading()
    }
    o.onTry?.(leading, reached)
  }

  const schedule = (): void => {
    if (stopped) return
    timer = setTimeout(() => {
      running = tick().finally(schedule)
    }, o.retryPeriodMs)
    timer.unref()
  }
  running = tick().finally(schedule)

  return {
    isLeader: () => leading,
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await running.catch(() => {})
      if (!leading) return
      leading = false
      o.onStoppedLeading()
      try {
        const current = await o.api.readLease(o.name)
        if (current !== undefined && spec(current).holderIdentity === o.identity)
          await o.api.replaceLease({ ...current, spec: { ...spec(current), holderIdentity: null, leaseDurationSeconds: 1 } })
      } catch (err) {
        o.onError(err)
      }
    },
  }
}
