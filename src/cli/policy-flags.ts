// The one way every command turns its flags into a compiled policy, so serve, review and check
// cannot drift apart.
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { admissionOptionsFrom } from '../config.js'
import { WfeError } from '../errors.js'
import { fsProblem } from './read-input.js'
import { compilePolicy } from '../policy.js'
import type { CompiledPolicy } from '../admission/rule-contract.js'
import { loadPolicyFile } from '../policy-file.js'
import type { Rule } from '../admission/rule-contract.js'

/** Policy files are read relative to `cwd`, like every other path a command takes. */
export function policyFromFlags(values: Record<string, unknown>, cwd: string, now?: () => Date): CompiledPolicy {
  const options = admissionOptionsFrom(values, now)
  const files = values['policy'] === undefined ? [] : ([] as unknown[]).concat(values['policy']).map(String)
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
