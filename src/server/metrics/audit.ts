// The audit recorder's instruments: records by result, API failures, Event writes, the Lease and
// leadership. Every labelled series starts at zero so an alert sees "none yet", not nothing.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { EffectHooks } from '../../effects/contract.js'

export interface RecorderMetricsHooks {
  record(result: 'written' | 'already' | 'tampered' | 'unadmitted'): void
  error(op: 'marker' | 'evidence' | 'event'): void
  event(result: 'success' | 'error'): void
  leader(leading: boolean): void
  lease(result: 'success' | 'error'): void
}

export class AuditInstruments {
  /** Pass to the effect runner: counts audit Event writes. */
  readonly effectHooks: EffectHooks
  /** Pass to the audit recorder: records by result, API failures, the Lease. */
  readonly recorderHooks: RecorderMetricsHooks

  constructor(registers: Registry[]) {
    const events = new Counter({
      name: 'wfe_admission_audit_events_total',
      help: 'Audit Event writes by result.',
      labelNames: ['result'],
      registers,
    })
    const records = new Counter({
      name: 'wfe_admission_audit_records_total',
      help: 'Audit records by result: written, already (found recorded), tampered (a marker this server did not write), unadmitted (stored without admission).',
      labelNames: ['result'],
      registers,
    })
    const errors = new Counter({
      name: 'wfe_admission_audit_recorder_errors_total',
      help: 'Audit recorder API failures by what they were for (marker, evidence, event).',
      labelNames: ['op'],
      registers,
    })
    const leaseTries = new Counter({
      name: 'wfe_admission_audit_lease_tries_total',
      help: "Tries to take or renew the audit recorder's Lease, by result.",
      labelNames: ['result'],
      registers,
    })
    const leader = new Gauge({
      name: 'wfe_admission_audit_leader',
      help: '1 while this replica holds the Lease and writes the audit records.',
      registers,
    })
    leader.set(0)
    for (const result of ['success', 'error']) {
      events.labels(result).inc(0)
      leaseTries.labels(result).inc(0)
    }
    for (const result of ['written', 'already', 'tampered', 'unadmitted']) records.labels(result).inc(0)
    for (const op of ['marker', 'evidence', 'event']) errors.labels(op).inc(0)
    this.effectHooks = { event: (result) => events.labels(result).inc() }
    this.recorderHooks = {
      record: (result) => records.labels(result).inc(),
      error: (op) => errors.labels(op).inc(),
      event: (result) => events.labels(result).inc(),
      leader: (leading) => leader.set(leading ? 1 : 0),
      lease: (result) => leaseTries.labels(result).inc(),
    }
  }
}
