// The admission core's options, their defaults and their validation, in one place, so that
// `serve`, `review` and `check` run identical rules. The command-line flags that set them (and every
// other flag) are in src/cli/flags.ts; the server's own settings in src/server/settings.ts.
import { WfeError } from './errors.js'
import { DEFAULT_EXECUTION_TIMEOUT } from './api/workflowexecution.js'
import { formatDuration, parseDurationNs } from './api/duration.js'
import { TARGET_BLOCK_MODES, type TargetBlockMode, type TargetBlockOptions } from './api/target-block.js'

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
  /** The target-block rules (docs/blocks.md): mode, the injected block index, pre-execution backoff. */
  targetBlocks: TargetBlockOptions
}

/** Past this, a view whose watch broke is no longer trusted to refuse (docs/blocks.md, "While the watch is broken"). */
export const DEFAULT_MAX_STALENESS_MS = 5 * 60 * 1000

export const DEFAULT_TRUSTED_CONTROLLER = 'system:serviceaccount:kubernaut-system:workflowexecution-controller'

export const DEFAULT_ADMISSION_OPTIONS: AdmissionOptions = Object.freeze({
  defaultTimeout: DEFAULT_EXECUTION_TIMEOUT,
  minClearReasonWords: 5,
  trustedControllers: Object.freeze([DEFAULT_TRUSTED_CONTROLLER]),
  now: () => new Date(),
  targetBlocks: Object.freeze({ mode: 'deny', view: undefined, maxStalenessMs: DEFAULT_MAX_STALENESS_MS }),
})

/** Builds AdmissionOptions from parsed flag values, validating each. */
export function admissionOptionsFrom(values: Record<string, unknown>, now: () => Date = () => new Date()): AdmissionOptions {
  const given = String(values['default-timeout'] ?? DEFAULT_EXECUTION_TIMEOUT)
  const d = parseDurationNs(given)
  if (d === undefined || d <= 0n) {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--default-timeout: invalid value "${given}": must be a Go duration greater than zero, such as 30m or 1h30m`,
    )
  }
  // Stored as Go writes it ("30m" → "30m0s"), or a Go client's next Update() would change the spec.
  const defaultTimeout = formatDuration(d)
  const words = Number(values['min-clear-reason-words'] ?? 5)
  if (!Number.isInteger(words) || words < 1 || words > 1000) {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--min-clear-reason-words: invalid value "${String(values['min-clear-reason-words'])}": must be a whole number from 1 to 1000`,
    )
  }
  const raw = values['trusted-controllers']
  const list = raw === undefined ? [DEFAULT_TRUSTED_CONTROLLER] : splitList(raw)
  return {
    defaultTimeout,
    minClearReasonWords: words,
    trustedControllers: Object.freeze(list),
    now,
    targetBlocks: targetBlocksFrom(values),
  }
}

/** --target-blocks, --pre-execution-backoff and --target-blocks-max-staleness; the view is injected later. */
export function targetBlocksFrom(values: Record<string, unknown>): TargetBlockOptions {
  const mode = String(values['target-blocks'] ?? 'deny')
  if (!(TARGET_BLOCK_MODES as readonly string[]).includes(mode)) {
    throw new WfeError('WFE_ERR_CONFIG', `--target-blocks: invalid value "${mode}": must be one of ${TARGET_BLOCK_MODES.join(', ')}`)
  }
  const stale = String(values['target-blocks-max-staleness'] ?? formatDuration(BigInt(DEFAULT_MAX_STALENESS_MS) * 1_000_000n))
  const staleNs = parseDurationNs(stale)
  if (staleNs === undefined || staleNs <= 0n) {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--target-blocks-max-staleness: invalid value "${stale}": must be a Go duration greater than zero, such as 5m`,
    )
  }
  const out: TargetBlockOptions = { mode: mode as TargetBlockMode, view: undefined, maxStalenessMs: Number(staleNs / 1_000_000n) }
  const raw = values['pre-execution-backoff']
  if (raw !== undefined && raw !== '' && raw !== 'off') {
    const text = String(raw)
    const parts = text.split(',').map((p) => parseDurationNs(p.trim()))
    const [base, max] = parts
    if (parts.length !== 2 || base === undefined || max === undefined || base <= 0n || max < base) {
      throw new WfeError(
        'WFE_ERR_CONFIG',
        `--pre-execution-backoff: invalid value "${text}": must be BASE,MAX as two Go durations with 0 < BASE <= MAX, such as 1m,1h (or off)`,
      )
    }
    out.backoff = { baseMs: Number(base / 1_000_000n), maxMs: Number(max / 1_000_000n) }
  }
  return out
}

export function splitList(raw: unknown): string[] {
  const parts = Array.isArray(raw) ? raw.map(String) : String(raw).split(',')
  return parts
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '')
}
