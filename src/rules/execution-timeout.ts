// Mutation: default spec.executionConfig.timeout on CREATE only. Defaulting on UPDATE would change
// an immutable spec. The seed's default is 30m; --default-timeout overrides it.
import { defineRule } from './define.js'
import { isRecord } from '../api/json.js'
import { warning } from '../admission/field.js'


export const executionTimeoutDefault = defineRule({
  id: 'execution-timeout-default',
  description: 'sets spec.executionConfig.timeout to --default-timeout on CREATE when it is absent',
  kind: 'mutate',
  operations: ['CREATE'],
  subresources: [''],
  field: 'spec.executionConfig.timeout',
  // Most CREATEs carry a timeout: skipped before the core copies or diffs anything.
  applies: ({ object }) => {
    const spec: unknown = object.spec
    if (!isRecord(spec)) return false
    const config = spec['executionConfig']
    return config === undefined || config === null || (isRecord(config) && (config['timeout'] === undefined || config['timeout'] === null))
  },
  mutate: ({ options }, draft) => {
    const spec: unknown = draft.spec
    if (!isRecord(spec)) return {}
    const config = spec['executionConfig']
    if (config === undefined || config === null) {
      spec['executionConfig'] = { timeout: options.defaultTimeout }
    } else if (isRecord(config) && (config['timeout'] === undefined || config['timeout'] === null)) {
      config['timeout'] = options.defaultTimeout
    } else {
      return {}
    }
    return { warnings: [warning('spec.executionConfig.timeout', `defaulted to "${options.defaultTimeout}" (no timeout was set)`)] }
  },
})

export const executionTimeoutRules = [executionTimeoutDefault]
