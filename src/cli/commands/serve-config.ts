// The `serve` flags, checked and turned into typed settings before anything starts, so a bad value
// is a clear exit-2 message rather than a half-started server.
import { pino } from 'pino'
import { parseGoDuration } from '../../api/duration.js'
import { WfeError } from '../../errors.js'
import type { FlagValues, SERVE_FLAGS } from '../flags.js'

type ServeFlagValues = FlagValues<typeof SERVE_FLAGS>

export interface ServeConfig {
  port: number
  probePort: number
  bindAddress: string
  certDir: string
  devCerts: boolean
  clientCa: string | undefined
  clientAllowedNames: string[]
  drainDelayMs: number
  shutdownTimeoutMs: number
  kubeconfig: string | undefined
  events: boolean
  /** The recorder's namespace; undefined: the pod's (read at start), else kubernaut-system. */
  auditNamespace: string | undefined
  leaseDurationMs: number
  renewDeadlineMs: number
  retryPeriodMs: number
  admissionGraceMs: number
  logLevel: string
}

function port(values: ServeFlagValues, name: 'port' | 'probe-port'): number {
  const v = values[name]
  if (!Number.isInteger(v) || v < 0 || v > 65535) {
    throw new WfeError('WFE_ERR_CONFIG', `--${name}: invalid value "${String(v)}": must be a port number from 0 to 65535`)
  }
  return v
}

type DurationFlag =
  | 'drain-delay'
  | 'shutdown-timeout'
  | 'leader-elect-lease-duration'
  | 'leader-elect-renew-deadline'
  | 'leader-elect-retry-period'
  | 'audit-admission-grace'

function durationMs(values: ServeFlagValues, name: DurationFlag, allowZero: boolean): number {
  const text = values[name]
  const ns = parseGoDuration(text)
  if (ns === undefined || ns < 0 || (!allowZero && ns === 0)) {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--${name}: invalid value "${text}": must be a Go duration ${allowZero ? 'of zero or more' : 'greater than zero'}, such as 5s or 1m30s`,
    )
  }
  return ns / 1e6
}

/** An optional path flag given as '' (an empty environment variable in a manifest) is not given. */
function optionalString(v: string | undefined): string | undefined {
  return v === '' ? undefined : v
}

export function serveConfig(values: ServeFlagValues): ServeConfig {
  const logLevel = values['log-level']
  if (!(logLevel in pino.levels.values) && logLevel !== 'silent') {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--log-level: invalid value "${logLevel}": must be one of ${Object.keys(pino.levels.values).join(', ')}, silent`,
    )
  }
  const clientCa = optionalString(values['client-ca'])
  const clientAllowedNames = [...(values['client-allowed-names'] ?? [])]
  if (clientCa === undefined && clientAllowedNames.length > 0) {
    throw new WfeError('WFE_ERR_CONFIG', '--client-allowed-names needs --client-ca: names are checked on verified client certificates only')
  }
  const config: ServeConfig = {
    port: port(values, 'port'),
    probePort: port(values, 'probe-port'),
    bindAddress: values['bind-address'],
    certDir: values['cert-dir'],
    devCerts: values['dev-certs'],
    clientCa,
    clientAllowedNames,
    drainDelayMs: durationMs(values, 'drain-delay', true),
    shutdownTimeoutMs: durationMs(values, 'shutdown-timeout', false),
    kubeconfig: optionalString(values['kubeconfig']),
    events: values['events'],
    auditNamespace: optionalString(values['audit-namespace']),
    leaseDurationMs: durationMs(values, 'leader-elect-lease-duration', false),
    renewDeadlineMs: durationMs(values, 'leader-elect-renew-deadline', false),
    retryPeriodMs: durationMs(values, 'leader-elect-retry-period', false),
    admissionGraceMs: durationMs(values, 'audit-admission-grace', true),
    logLevel,
  }
  // client-go's own checks (leaderelection.NewLeaderElector): otherwise two replicas can lead at once.
  if (config.leaseDurationMs <= config.renewDeadlineMs)
    throw new WfeError('WFE_ERR_CONFIG', '--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline')
  if (config.renewDeadlineMs <= 1.2 * config.retryPeriodMs)
    throw new WfeError('WFE_ERR_CONFIG', '--leader-elect-renew-deadline must be greater than 1.2 × --leader-elect-retry-period')
  if (config.port !== 0 && config.port === config.probePort) {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--port and --probe-port are both ${config.port}: the webhook (HTTPS) and the probes (plain HTTP) need separate ports`,
    )
  }
  return config
}
