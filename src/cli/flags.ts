// Every command-line flag, in one place: its type, default, environment variable and the commands
// that take it. Defaults come from the settings they set (src/config.ts for the admission core,
// src/server/settings.ts for the server), so a default is written once. The README's flag tables
// are generated from these (`npm run docs`).
import { DEFAULT_ADMISSION_OPTIONS, DEFAULT_MAX_STALENESS_MS } from '../config.js'
import { formatDuration } from '../api/duration.js'
import { DEFAULT_SERVER_SETTINGS as SERVER } from '../server/settings.js'
import { FORMATS } from './render/index.js'
import { DEFAULT_LEADER_ELECTION } from '../audit/lease.js'
import { DEFAULT_ADMISSION_GRACE_MS } from '../audit/recorder.js'

/** A Go duration for a whole number of milliseconds that is a whole number of seconds. */
function seconds(ms: number): string {
  return `${ms / 1000}s`
}

export type FlagType = 'string' | 'number' | 'boolean' | 'list'

/** A flag's parsed value, from its row: its type, whether it repeats, and whether it has a default. */
type ValueOf<F extends FlagSpec> = F['type'] extends 'boolean'
  ? boolean
  : F['type'] extends 'number'
    ? number
    : F['type'] extends 'list'
      ? readonly string[]
      : F['multiple'] extends true
        ? readonly string[]
        : string

/**
 * The parsed values of a flag table, typed from the table: `values['port']` is a number, a flag
 * with a default is always set, `values['prot']` does not compile. parseFlags (args.ts) builds them.
 */
export type FlagValues<Fs extends readonly FlagSpec[]> = {
  readonly [F in Fs[number] as F['name']]: F extends { default: unknown } ? ValueOf<F> : ValueOf<F> | undefined
} & { readonly help?: boolean }

export interface FlagSpec {
  /** Long flag name without dashes. */
  name: string
  type: FlagType
  /** Environment variable read when the flag is not given; none for CLI-only flags. */
  env?: string
  default?: string | number | boolean | readonly string[]
  description: string
  /** Commands that accept it. */
  commands: readonly ('serve' | 'review' | 'check' | 'certs' | 'blocks' | 'clear')[]
  /** Repeatable (`--policy a --policy b`); a list flag is one comma-separated value instead. */
  multiple?: boolean
  short?: string
}

const CORE = ['serve', 'review', 'check'] as const

/** The options shared by every command that runs the admission core. */
export const CORE_FLAGS = [
  {
    name: 'default-timeout',
    type: 'string',
    env: 'WFE_DEFAULT_TIMEOUT',
    default: DEFAULT_ADMISSION_OPTIONS.defaultTimeout,
    commands: CORE,
    description: 'spec.executionConfig.timeout set on CREATE when absent (Go duration)',
  },
  {
    name: 'min-clear-reason-words',
    type: 'number',
    env: 'WFE_MIN_CLEAR_REASON_WORDS',
    default: DEFAULT_ADMISSION_OPTIONS.minClearReasonWords,
    commands: CORE,
    description: 'fewest words a block-clearance reason may have',
  },
  {
    name: 'trusted-controllers',
    type: 'list',
    env: 'WFE_TRUSTED_CONTROLLERS',
    default: DEFAULT_ADMISSION_OPTIONS.trustedControllers,
    commands: CORE,
    description: 'comma-separated principals that may write clearMethod: Annotation clearances',
  },
  {
    name: 'target-blocks',
    type: 'string',
    env: 'WFE_TARGET_BLOCKS',
    default: DEFAULT_ADMISSION_OPTIONS.targetBlocks.mode,
    commands: CORE,
    description:
      'deny: refuse a CREATE whose target has an uncleared execution failure; warn: admit it with a warning; off: do not look (docs/blocks.md)',
  },
  {
    name: 'pre-execution-backoff',
    type: 'string',
    env: 'WFE_PRE_EXECUTION_BACKOFF',
    default: 'off',
    commands: CORE,
    description:
      'BASE,MAX (Go durations): refuse a CREATE until failedAt + BASE·2^(n-1), at most MAX, after n consecutive pre-execution failures of its target; off by default',
  },
  {
    name: 'target-blocks-max-staleness',
    type: 'string',
    env: 'WFE_TARGET_BLOCKS_MAX_STALENESS',
    default: formatDuration(BigInt(DEFAULT_MAX_STALENESS_MS) * 1_000_000n),
    commands: CORE,
    description:
      'while the WorkflowExecution watch is broken, keep judging from the last view this long; past it CREATEs are admitted with a warning',
  },
  {
    name: 'policy',
    type: 'string',
    env: 'WFE_POLICY',
    commands: CORE,
    multiple: true,
    description: 'YAML file of extra CEL rules (repeatable)',
  },
] as const satisfies readonly FlagSpec[]

/** `serve` only: the HTTPS listener, probes, TLS and the Kubernetes API for Events. */
export const SERVE_FLAGS = [
  {
    name: 'port',
    type: 'number',
    env: 'WFE_PORT',
    default: SERVER.port,
    commands: ['serve'],
    description: 'HTTPS port for the webhook endpoints',
  },
  {
    name: 'bind-address',
    type: 'string',
    env: 'WFE_BIND_ADDRESS',
    default: SERVER.bindAddress,
    commands: ['serve'],
    description: 'address the webhook and probe ports listen on',
  },
  {
    name: 'probe-port',
    type: 'number',
    env: 'WFE_PROBE_PORT',
    default: SERVER.probePort,
    commands: ['serve'],
    description: 'plain-HTTP port for /healthz, /readyz and /metrics',
  },
  {
    name: 'cert-dir',
    type: 'string',
    env: 'WFE_CERT_DIR',
    default: 'certs',
    commands: ['serve'],
    description: 'directory holding tls.crt and tls.key (watched and reloaded)',
  },
  {
    name: 'dev-certs',
    type: 'boolean',
    env: 'WFE_DEV_CERTS',
    default: false,
    commands: ['serve'],
    description: 'generate a dev CA and serving pair into --cert-dir when none is there',
  },
  {
    name: 'client-ca',
    type: 'string',
    env: 'WFE_CLIENT_CA',
    commands: ['serve'],
    description: 'CA file: require and verify client certificates signed by it (reloaded like the serving pair)',
  },
  {
    name: 'client-allowed-names',
    type: 'list',
    env: 'WFE_CLIENT_ALLOWED_NAMES',
    commands: ['serve'],
    description: 'comma-separated common names or DNS SANs a client certificate must carry (with --client-ca)',
  },
  {
    name: 'drain-delay',
    type: 'string',
    env: 'WFE_DRAIN_DELAY',
    default: seconds(SERVER.drainDelayMs),
    commands: ['serve'],
    description:
      'after SIGTERM, keep serving this long (readiness already false) before closing; SIGINT (Ctrl-C) or a second signal skips it',
  },
  {
    name: 'shutdown-timeout',
    type: 'string',
    env: 'WFE_SHUTDOWN_TIMEOUT',
    default: seconds(SERVER.shutdownTimeoutMs),
    commands: ['serve'],
    description: 'longest wait for in-flight reviews after the drain delay',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    env: 'WFE_KUBECONFIG',
    commands: ['serve'],
    description:
      "kubeconfig file for the WorkflowExecution watch that feeds the block index and the audit recorder, which writes its markers, Lease and Events (in a pod the in-cluster config is used; $KUBECONFIG is deliberately not read, so a developer's cluster never gets records from npm start)",
  },
  {
    name: 'events',
    type: 'boolean',
    env: 'WFE_EVENTS',
    default: true,
    commands: ['serve'],
    description:
      'run the audit recorder: one audit line per stored clearance and per deleted blocked execution, with its marker and Event (--no-events or --events=false: no audit records at all)',
  },
  {
    name: 'audit-namespace',
    type: 'string',
    env: 'WFE_AUDIT_NAMESPACE',
    commands: ['serve'],
    description:
      "the server's own namespace, where the recorder keeps its Lease and markers and where nobody else may write (default: the pod's namespace, else kubernaut-system)",
  },
  {
    name: 'leader-elect-lease-duration',
    type: 'string',
    env: 'WFE_LEADER_ELECT_LEASE_DURATION',
    default: seconds(DEFAULT_LEADER_ELECTION.leaseDurationMs),
    commands: ['serve'],
    description: "how long followers wait after the recorder's Lease was last renewed before one takes over",
  },
  {
    name: 'leader-elect-renew-deadline',
    type: 'string',
    env: 'WFE_LEADER_ELECT_RENEW_DEADLINE',
    default: seconds(DEFAULT_LEADER_ELECTION.renewDeadlineMs),
    commands: ['serve'],
    description: 'how long the recording leader keeps trying to renew its Lease before it stops recording',
  },
  {
    name: 'leader-elect-retry-period',
    type: 'string',
    env: 'WFE_LEADER_ELECT_RETRY_PERIOD',
    default: seconds(DEFAULT_LEADER_ELECTION.retryPeriodMs),
    commands: ['serve'],
    description: 'how often every replica tries to take or renew the Lease',
  },
  {
    name: 'audit-admission-grace',
    type: 'string',
    env: 'WFE_AUDIT_ADMISSION_GRACE',
    default: seconds(DEFAULT_ADMISSION_GRACE_MS),
    commands: ['serve'],
    description:
      'how long a stored clearance or deletion waits for its admission marker before it is recorded as unadmitted (and alerted on)',
  },
  {
    name: 'log-level',
    type: 'string',
    env: 'WFE_LOG_LEVEL',
    default: 'info',
    commands: ['serve'],
    description: 'pino level: debug logs allowed-unchanged reviews too',
  },
] as const satisfies readonly FlagSpec[]

/** `certs` only. */
export const CERTS_FLAGS = [
  {
    name: 'out',
    type: 'string',
    default: 'certs',
    commands: ['certs'],
    description: 'directory to write ca.crt, ca.key, tls.crt, tls.key',
  },
  {
    name: 'service',
    type: 'string',
    commands: ['certs'],
    description: 'Service name: adds NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local SANs',
  },
  { name: 'namespace', type: 'string', default: 'kubernaut-system', commands: ['certs'], description: 'Service namespace for the SANs' },
  {
    name: 'days',
    type: 'number',
    default: 365,
    commands: ['certs'],
    description: 'validity of the serving certificate in days (the CA gets ten times as long)',
  },
  {
    name: 'inject',
    type: 'string',
    commands: ['certs'],
    description: 'manifests directory: write the CA into every caBundle and a Secret manifest for the serving pair',
  },
  {
    name: 'client',
    type: 'string',
    commands: ['certs'],
    description: 'also issue a client certificate with this common name (client.crt, client.key)',
  },
  {
    name: 'new-ca',
    type: 'boolean',
    default: false,
    commands: ['certs'],
    description:
      'make a new CA even when --out already holds ca.crt and ca.key (by default they are reused, so what trusts the CA keeps working)',
  },
  // --in-cluster: the Helm chart's tls.mode hook (charts/wfe-admission); no files are written.
  {
    name: 'in-cluster',
    type: 'boolean',
    default: false,
    commands: ['certs'],
    description:
      "keep the CA and serving pair in Secrets and the CA bundle in the webhook configurations through the Kubernetes API, renewing only what is invalid or near expiry (the Helm chart's tls.mode hook)",
  },
  {
    name: 'secret',
    type: 'string',
    default: 'wfe-admission-tls',
    commands: ['certs'],
    description: 'with --in-cluster: Secret for the serving pair (tls.crt, tls.key, ca.crt)',
  },
  {
    name: 'ca-secret',
    type: 'string',
    default: 'wfe-admission-ca',
    commands: ['certs'],
    description: 'with --in-cluster: Secret for the CA pair',
  },
  {
    name: 'webhook-configuration',
    type: 'string',
    default: 'wfe-admission.kubernaut.ai',
    commands: ['certs'],
    description: 'with --in-cluster: name of the validating and mutating configurations whose caBundle is set',
  },
  {
    name: 'renew-before-days',
    type: 'number',
    default: 30,
    commands: ['certs'],
    description:
      'with --in-cluster: renew the serving certificate this many days before it expires (the CA that many days before a new serving certificate would outlive it)',
  },
  {
    name: 'allow-missing-webhooks',
    type: 'boolean',
    default: false,
    commands: ['certs'],
    description: "with --in-cluster: succeed when the webhook configurations do not exist yet (the chart's pre-install Job)",
  },
  {
    name: 'kubeconfig',
    type: 'string',
    commands: ['certs'],
    description: "with --in-cluster: kubeconfig file (default: the pod's in-cluster configuration)",
  },
] as const satisfies readonly FlagSpec[]

/** `review` only. */
export const REVIEW_FLAGS = [
  ...CORE_FLAGS,
  {
    name: 'webhook',
    type: 'string',
    default: 'both',
    commands: ['review'],
    description: 'validate, mutate, or both (mutate then validate, as the apiserver does)',
  },
] as const satisfies readonly FlagSpec[]

const CHECK = ['check'] as const

export const CHECK_FLAGS = [
  ...CORE_FLAGS,
  { name: 'output', short: 'o', type: 'string', default: 'text', commands: CHECK, description: `report format: ${FORMATS.join(', ')}` },
  {
    name: 'old',
    type: 'string',
    multiple: true,
    commands: CHECK,
    description:
      'stored objects (file, directory or -): a PATH object with the same namespace/name is checked as an UPDATE of it (repeatable)',
  },
  {
    name: 'subresource',
    type: 'string',
    default: '',
    commands: CHECK,
    description: "with --old: '' (the resource) or status (an UPDATE of /status, as the controller writes it)",
  },
  { name: 'user', type: 'string', commands: CHECK, description: 'userInfo.username of the checked requests (default wfe-admission:check)' },
  {
    name: 'group',
    type: 'string',
    multiple: true,
    commands: CHECK,
    description: 'userInfo.groups entry (repeatable; system:authenticated is always added)',
  },
  {
    name: 'namespace',
    type: 'string',
    default: 'default',
    commands: CHECK,
    description: 'namespace for objects that name none, as kubectl would send them',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    default: false,
    commands: CHECK,
    description: 'mark the requests dryRun, as kubectl --dry-run=server does',
  },
  {
    name: 'print-mutated',
    type: 'boolean',
    default: false,
    commands: CHECK,
    description: 'write the admitted (mutated) objects as YAML to stdout; the report then goes to stderr',
  },
  {
    name: 'validate',
    type: 'string',
    default: 'strict',
    commands: CHECK,
    description:
      "as kubectl's --validate: strict (or true) denies a field the CRD does not declare, as the apiserver refuses it; warn prunes it with the apiserver's warning; ignore (or false) prunes it silently",
  },
  {
    name: 'warnings-as-errors',
    type: 'boolean',
    default: false,
    commands: CHECK,
    description: 'exit 1 when any warning is returned, as kubectl --warnings-as-errors (each such warning is named on stderr)',
  },
  {
    name: 'cluster-state',
    type: 'string',
    commands: CHECK,
    description:
      'a List of the stored WorkflowExecutions (kubectl get workflowexecutions -A -o yaml or json): CREATEs are judged against its target blocks as the server would',
  },
  {
    name: 'tolerate-warning',
    type: 'list',
    multiple: true,
    commands: CHECK,
    description:
      'with --warnings-as-errors: warnings of these rule ids (comma-separated, repeatable) do not fail the run, e.g. execution-timeout-default',
  },
  {
    name: 'allow-empty',
    type: 'boolean',
    default: false,
    commands: CHECK,
    description: 'exit 0 when PATH holds no WorkflowExecution (by default checking nothing is an error, exit 2)',
  },
] as const satisfies readonly FlagSpec[]

/** `certs`' values, shared by the command and its --in-cluster half. */
export type CertsFlagValues = FlagValues<typeof CERTS_FLAGS>
