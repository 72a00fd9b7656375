// PLACEHOLDER: --policy FILE loading is built by the CI-check work this session.
import type { Rule } from './rules/define.js'
import { WfeError } from './errors.js'

export function loadPolicyFile(path: string): Rule[] {
  throw new WfeError('WFE_ERR_POLICY_FILE', `${path}: policy files are not supported yet`)
}
