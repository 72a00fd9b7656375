// The one way every command turns its flags into a compiled policy, so serve, review and check
// cannot drift apart.
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { admissionOptionsFrom } from '../config.js'
import { WfeError } from '../errors.js'
import { fsProblem } from './read-input.js'
import { compilePolicy, type CompiledPolicy } from '../policy.js'
import { readPolicyFile } from '../policy-file.js'
import { isCelRule, type Rule } from '../rules/define.js'
import { policyProblems } from './policy-check.js'
import type { BlockView } from '../api/target-block.js'

/** Policy files are read relative to `cwd`, like every other path a command takes. */
/** `view`: the block index the target-block rules read (serve's watch, check's --cluster-state). */
export function policyFromFlags(values: Record<string, unknown>, cwd: string, now?: () => Date, view?: BlockView): CompiledPolicy {
  const base = admissionOptionsFrom(values, now)
  const options = view === undefined ? base : { ...base, targetBlocks: { ...base.targetBlocks, view } }
  const files = values['policy'] === undefined ? [] : ([] as unknown[]).concat(values['policy']).map(String)
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
