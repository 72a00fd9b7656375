// The one way every command turns its flags into a compiled policy, so serve, review and check
// cannot drift apart.
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { AdmissionOptions } from '../config.js'
import { WfeError } from '../errors.js'
import { formatDuration, parseDurationNs } from '../api/duration.js'
import type { CORE_FLAGS, FlagValues } from './flags.js'
import { fsProblem } from './read-input.js'
import { compilePolicy } from '../policy.js'
import { readPolicyFile } from '../policy-file.js'
import { isCelRule, type CompiledPolicy, type Rule } from '../admission/rule-contract.js'
import { policyProblems } from './policy-check.js'
import { TARGET_BLOCK_MODES, type BlockView, type TargetBlockMode, type TargetBlockOptions } from '../api/target-block.js'

/** The core's flags, as every command that runs the admission core parses them. */
export type CoreFlagValues = FlagValues<typeof CORE_FLAGS>

/** AdmissionOptions from the parsed flags (defaults already applied by the table), each value validated. */
export function admissionOptionsFrom(values: CoreFlagValues, now: () => Date = () => new Date()): AdmissionOptions {
  const given = values['default-timeout']
  const d = parseDurationNs(given)
  if (d === undefined || d <= 0n) {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--default-timeout: invalid value "${given}": must be a Go duration greater than zero, such as 30m or 1h30m`,
    )
  }
  // Stored as Go writes it ("30m" → "30m0s"), or a Go client's next Update() would change the spec.
  const defaultTimeout = formatDuration(d)
  const words = minClearReasonWords(values['min-clear-reason-words'])
  return {
    defaultTimeout,
    minClearReasonWords: words,
    trustedControllers: Object.freeze([...values['trusted-controllers']]),
    now,
    targetBlocks: targetBlocksFrom(values),
  }
}

/** --min-clear-reason-words, checked: `serve`, `review`, `check` and `clear` take it. */
export function minClearReasonWords(words: number): number {
  if (!Number.isInteger(words) || words < 1 || words > 1000) {
    throw new WfeError('WFE_ERR_CONFIG', `--min-clear-reason-words: invalid value "${words}": must be a whole number from 1 to 1000`)
  }
  return words
}

function isTargetBlockMode(mode: string): mode is TargetBlockMode {
  return (TARGET_BLOCK_MODES as readonly string[]).includes(mode)
}

/** --target-blocks, --pre-execution-backoff and --target-blocks-max-staleness; the view is injected later. */
export function targetBlocksFrom(values: CoreFlagValues): TargetBlockOptions {
  const mode = values['target-blocks']
  if (!isTargetBlockMode(mode)) {
    throw new WfeError('WFE_ERR_CONFIG', `--target-blocks: invalid value "${mode}": must be one of ${TARGET_BLOCK_MODES.join(', ')}`)
  }
  const stale = values['target-blocks-max-staleness']
  const staleNs = parseDurationNs(stale)
  if (staleNs === undefined || staleNs <= 0n) {
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--target-blocks-max-staleness: invalid value "${stale}": must be a Go duration greater than zero, such as 5m`,
    )
  }
  const out: TargetBlockOptions = { mode, view: undefined, maxStalenessMs: Number(staleNs / 1_000_000n) }
  const text = values['pre-execution-backoff']
  if (text !== '' && text !== 'off') {
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

/**
 * Policy files are read relative to `cwd`, like every other path a command takes. `view`: the block
 * index the target-block rules read (serve's watch, check's --cluster-state).
 */
export function policyFromFlags(values: CoreFlagValues, cwd: string, now?: () => Date, view?: BlockView): CompiledPolicy {
  const base = admissionOptionsFrom(values, now)
  const options = view === undefined ? base : { ...base, targetBlocks: { ...base.targetBlocks, view } }
  const files = values['policy'] ?? []
  for (const f of files) {
    try {
      statSync(resolve(cwd, f))
    } catch (err) {
      throw new WfeError('WFE_ERR_POLICY_FILE', `--policy: the path "${f}" ${fsProblem(err)}`, { cause: err })
    }
  }
  // Every problem of every file at once; a policy that would fail on a valid object never loads.
  const problems: string[] = []
  const extra: Rule[] = []
  for (const f of files) {
    const file = readPolicyFile(f, cwd)
    extra.push(...file.rules)
    problems.push(...file.problems)
  }
  problems.push(...policyProblems(extra.filter(isCelRule), options))
  if (problems.length > 0)
    throw new WfeError(
      'WFE_ERR_POLICY_FILE',
      `${problems.length === 1 ? 'the policy has a problem' : `the policy has ${problems.length} problems`}; nothing was started:\n  ${problems.join('\n').split('\n').join('\n  ')}`,
    )
  return compilePolicy(options, extra)
}
