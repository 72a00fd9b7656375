// Every option, its default, its environment variable and its validation, in one place, so that
// `serve`, `review` and `check` run identical rules and the README's reference has one source.
import { WfeError } from './errors.js'
import { DEFAULT_EXECUTION_TIMEOUT } from './api/workflowexecution.js'
import { parseGoDuration } from './api/duration.js'

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
  const defaultTimeout = String(values['default-timeout'] ?? DEFAULT_EXECUTION_TIMEOUT)
  const d = parseGoDuration(defaultTimeout)
  if (d === undefined || d <= 0) {
    throw new WfeError('WFE_ERR_CONFIG', `--default-timeout: invalid value "${defaultTimeout}": must be a Go duration greater than zero, such as 30m or 1h30m`)
  }
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
