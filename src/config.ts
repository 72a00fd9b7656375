// Every option, its default, its environment variable and its validation, in one place, so that
// `serve`, `review` and `check` run identical rules and the README's reference has one source.
import { WfeError } from './errors.js'
import { DEFAULT_EXECUTION_TIMEOUT } from './api/workflowexecution.js'
import { formatDuration, parseDurationNs } from './api/duration.js'

/** What the pure core needs; the same for the server and the CLI. */
export interface AdmissionOptions {
  /** Default for spec.executionConfig.timeout on CREATE (Go duration). */
  defaultTimeout: string
  /** Fewest words a block-clearance reason may have. */
  minClearReasonWords: number
  /** Principals allowed to copy annotation attribution into status (clearMethod: Annotation). */
  trustedControllers: readonly string[]
  /** The clock; injected so the core stays pure and tests are exact. */
  now: () => Date
}

export const DEFAULT_TRUSTED_CONTROLLER = 'system:serviceaccount:kubernaut-system:workflowexecution-controller'

export const DEFAULT_ADMISSION_OPTIONS: AdmissionOptions = Object.freeze({
  defaultTimeout: DEFAULT_EXECUTION_TIMEOUT,
  minClearReasonWords: 5,
  trustedControllers: Object.freeze([DEFAULT_TRUSTED_CONTROLLER]),
  now: () => new Date(),
})

export type FlagType = 'string' | 'number' | 'boolean' | 'list'

export interface FlagSpec {
  /** Long flag name without dashes. */
  name: string
  type: FlagType
  /** Environment variable read when the flag is not given; none for CLI-only flags. */
  env?: string
  default?: string | number | boolean | readonly string[]
  description: string
  /** Commands that accept it. */
  commands: readonly ('serve' | 'review' | 'check' | 'certs')[]
  multiple?: boolean
  short?: string
}

const CORE = ['serve', 'review', 'check'] as const

/** The options shared by every command that runs the admission core. */
export const CORE_FLAGS: readonly FlagSpec[] = [
  { name: 'default-timeout', type: 'string', env: 'WFE_DEFAULT_TIMEOUT', default: DEFAULT_EXECUTION_TIMEOUT, commands: CORE, description: 'spec.executionConfig.timeout set on CREATE when absent (Go duration)' },
  { name: 'min-clear-reason-words', type: 'number', env: 'WFE_MIN_CLEAR_REASON_WORDS', default: 5, commands: CORE, description: 'fewest words a block-clearance reason may have' },
  { name: 'trusted-controllers', type: 'list', env: 'WFE_TRUSTED_CONTROLLERS', default: [DEFAULT_TRUSTED_CONTROLLER], commands: CORE, description: 'comma-separated principals that may write clearMethod: Annotation clearances' },
  { name: 'policy', type: 'string', env: 'WFE_POLICY', commands: CORE, multiple: true, description: 'YAML file of extra CEL rules (repeatable)' },
]

/** Builds AdmissionOptions from parsed flag values, validating each. */
export function admissionOptionsFrom(values: Record<string, unknown>, now: () => Date = () => new Date()): AdmissionOptions {
  const given = String(values['default-timeout'] ?? DEFAULT_EXECUTION_TIMEOUT)
  const d = parseDurationNs(given)
  if (d === undefined || d <= 0n) {
    throw new WfeError('WFE_ERR_CONFIG', `--default-timeout: invalid value "${given}": must be a Go duration greater than zero, such as 30m or 1h30m`)
  }
  // Stored as Go writes it ("30m" → "30m0s"), or a Go client's next Update() would change the spec.
  const defaultTimeout = formatDuration(d)
  const words = Number(values['min-clear-reason-words'] ?? 5)
  if (!Number.isInteger(words) || words < 1 || words > 1000) {
    throw new WfeError('WFE_ERR_CONFIG', `--min-clear-reason-words: invalid value "${String(values['min-clear-reason-words'])}": must be a whole number from 1 to 1000`)
  }
  const raw = values['trusted-controllers']
  const list = raw === undefined ? [DEFAULT_TRUSTED_CONTROLLER] : splitList(raw)
  return { defaultTimeout, minClearReasonWords: words, trustedControllers: Object.freeze(list), now }
}

export function splitList(raw: unknown): string[] {
  const parts = Array.isArray(raw) ? raw.map(String) : String(raw).split(',')
  return parts.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '')
}

/** `serve` only: the HTTPS listener, probes, TLS and the Kubernetes API for Events. */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  { name: 'port', type: 'number', env: 'WFE_PORT', default: 9443, commands: ['serve'], description: 'HTTPS port for the webhook endpoints' },
  { name: 'bind-address', type: 'string', env: 'WFE_BIND_ADDRESS', default: '0.0.0.0', commands: ['serve'], description: 'address the webhook and probe ports listen on' },
  { name: 'probe-port', type: 'number', env: 'WFE_PROBE_PORT', default: 8081, commands: ['serve'], description: 'plain-HTTP port for /healthz, /readyz and /metrics' },
  { name: 'cert-dir', type: 'string', env: 'WFE_CERT_DIR', default: 'certs', commands: ['serve'], description: 'directory holding tls.crt and tls.key (watched and reloaded)' },
  { name: 'dev-certs', type: 'boolean', env: 'WFE_DEV_CERTS', default: false, commands: ['serve'], description: 'generate a dev CA and serving pair into --cert-dir when none is there' },
  { name: 'client-ca', type: 'string', env: 'WFE_CLIENT_CA', commands: ['serve'], description: 'CA file: require and verify client certificates signed by it (reloaded like the serving pair)' },
  { name: 'client-allowed-names', type: 'list', env: 'WFE_CLIENT_ALLOWED_NAMES', commands: ['serve'], description: 'comma-separated common names or DNS SANs a client certificate must carry (with --client-ca)' },
  { name: 'drain-delay', type: 'string', env: 'WFE_DRAIN_DELAY', default: '5s', commands: ['serve'], description: 'after SIGTERM, keep serving this long (readiness already false) before closing; SIGINT (Ctrl-C) or a second signal skips it' },
  { name: 'shutdown-timeout', type: 'string', env: 'WFE_SHUTDOWN_TIMEOUT', default: '20s', commands: ['serve'], description: 'longest wait for in-flight reviews after the drain delay' },
  { name: 'kubeconfig', type: 'string', env: 'WFE_KUBECONFIG', commands: ['serve'], description: 'kubeconfig file for the audit watch, which watches WorkflowExecutions and writes BlockCleared Events (in a pod the in-cluster config is used; $KUBECONFIG is deliberately not read, so a developer\'s cluster never gets Events from npm start)' },
  { name: 'events', type: 'boolean', env: 'WFE_EVENTS', default: true, commands: ['serve'], description: 'run the audit watch: one audit line and one BlockCleared Event for each stored clearance (--no-events or --events=false: no audit records at all)' },
  { name: 'log-level', type: 'string', env: 'WFE_LOG_LEVEL', default: 'info', commands: ['serve'], description: 'pino level: debug logs allowed-unchanged reviews too' },
]

/** `certs` only. */
export const CERTS_FLAGS: readonly FlagSpec[] = [
  { name: 'out', type: 'string', default: 'certs', commands: ['certs'], description: 'directory to write ca.crt, ca.key, tls.crt, tls.key' },
  { name: 'service', type: 'string', commands: ['certs'], description: 'Service name: adds NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local SANs' },
  { name: 'namespace', type: 'string', default: 'kubernaut-system', commands: ['certs'], description: 'Service namespace for the SANs' },
  { name: 'days', type: 'number', default: 365, commands: ['certs'], description: 'validity of the serving certificate in days (the CA gets ten times as long)' },
  { name: 'inject', type: 'string', commands: ['certs'], description: 'manifests directory: write the CA into every caBundle and a Secret manifest for the serving pair' },
  { name: 'client', type: 'string', commands: ['certs'], description: 'also issue a client certificate with this common name (client.crt, client.key)' },
  { name: 'new-ca', type: 'boolean', default: false, commands: ['certs'], description: 'make a new CA even when --out already holds ca.crt and ca.key (by default they are reused, so what trusts the CA keeps working)' },
  // --in-cluster: the Helm chart's tls.mode hook (charts/wfe-admission); no files are written.
  { name: 'in-cluster', type: 'boolean', default: false, commands: ['certs'], description: 'keep the CA and serving pair in Secrets and the CA bundle in the webhook configurations through the Kubernetes API, renewing only what is invalid or near expiry (the Helm chart\'s tls.mode hook)' },
  { name: 'secret', type: 'string', default: 'wfe-admission-tls', commands: ['certs'], description: 'with --in-cluster: Secret for the serving pair (tls.crt, tls.key, ca.crt)' },
  { name: 'ca-secret', type: 'string', default: 'wfe-admission-ca', commands: ['certs'], description: 'with --in-cluster: Secret for the CA pair' },
  { name: 'webhook-configuration', type: 'string', default: 'wfe-admission.kubernaut.ai', commands: ['certs'], description: 'with --in-cluster: name of the validating and mutating configurations whose caBundle is set' },
  { name: 'renew-before-days', type: 'number', default: 30, commands: ['certs'], description: 'with --in-cluster: renew the serving certificate this many days before it expires (the CA that many days before a new serving certificate would outlive it)' },
  { name: 'allow-missing-webhooks', type: 'boolean', default: false, commands: ['certs'], description: 'with --in-cluster: succeed when the webhook configurations do not exist yet (the chart\'s pre-install Job)' },
  { name: 'kubeconfig', type: 'string', commands: ['certs'], description: 'with --in-cluster: kubeconfig file (default: the pod\'s in-cluster configuration)' },
]
