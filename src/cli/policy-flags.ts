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
import type { CompiledPolicy } from '../admission/rule-contract.js'
import { loadPolicyFile } from '../policy-file.js'
import type { Rule } from '../admission/rule-contract.js'

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
  const words = values['min-clear-reason-words']
  if (!Number.isInteger(words) || words < 1 || words > 1000) {
    throw new WfeError('WFE_ERR_CONFIG', `--min-clear-reason-words: invalid value "${words}": must be a whole number from 1 to 1000`)
  }
  return { defaultTimeout, minClearReasonWords: words, trustedControllers: Object.freeze([...values['trusted-controllers']]), now }
}

/** Policy files are read relative to `cwd`, like every other path a command takes. */
export function policyFromFlags(values: CoreFlagValues, cwd: string, now?: () => Date): CompiledPolicy {
  const options = admissionOptionsFrom(values, now)
  const files = values['policy'] ?? []
  for (const f of files) {
    try {
      statSync(resolve(cwd, f))
    } catch (err) {
      throw new WfeError('WFE_ERR_POLICY_FILE', `--policy: the path "${f}" ${fsProblem(err)}`, { cause: err })
    }
  }
  const extra: Rule[] = files.flatMap((f) => loadPolicyFile(f, cwd))
  return compilePolicy(options, extra)
}
