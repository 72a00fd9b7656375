// The serving certificate: its expiry, read from the source at scrape time, and reloads by result.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { TlsReloadHooks } from '../../tls/source.js'

export class TlsInstruments {
  /** Where the expiry gauge reads the served certificate's notAfter; unset until the server tracks one. */
  private notAfter: (() => Date | undefined) | undefined
  private readonly reloads: Counter<'result'>
  /** Pass to the certificate source: counts reloads. */
  readonly hooks: TlsReloadHooks

  constructor(registers: Registry[]) {
    // collect() runs with the gauge as `this`: the source is read through this arrow.
    const served = (): Date | undefined => this.notAfter?.()
    new Gauge({
      name: 'wfe_admission_tls_cert_not_after_seconds',
      help: 'Expiry of the serving certificate, in seconds since the Unix epoch.',
      registers,
      collect() {
        const d = served()
        if (d !== undefined) this.set(d.getTime() / 1000)
      },
    })
    this.reloads = new Counter({
      name: 'wfe_admission_tls_reloads_total',
      help: 'Serving certificate reload attempts by result.',
      labelNames: ['result'],
      registers,
    })
    for (const result of ['success', 'error']) this.reloads.labels(result).inc(0)
    this.hooks = { reload: (result) => this.reloads.labels(result).inc() }
  }

  track(notAfter: () => Date | undefined): void {
    this.notAfter = notAfter
  }
}
