// Mutation on CREATE only: default spec.executionConfig.timeout, and write any timeout the way Go
// writes it. metav1.Duration marshals as time.Duration.String() ("30m0s"), so a Go controller that
// decodes the object and Update()s it sends that text back; had we stored "30m", spec immutability
// (ours and the CRD's `self == oldSelf`) would refuse its every update. On UPDATE the spec is
// immutable, so nothing is touched there.
import { defineRule } from '../admission/rule-contract.js'
import { isRecord } from '../api/json.js'
import { recordAt } from './field-values.js'
import { canonicalDuration, parseDurationNs } from '../api/duration.js'
import { warning } from '../admission/field.js'

const FIELD = 'spec.executionConfig.timeout'

/** The Go form of a valid positive timeout when it differs from `text`; undefined otherwise (invalid ones are execution-timeout-valid's). */
function rewrite(text: unknown): string | undefined {
  const ns = parseDurationNs(text)
  if (ns === undefined || ns <= 0n) return undefined
  const canonical = canonicalDuration(text)
  return canonical === text ? undefined : canonical
}

/** spec (the draft's own, on mutate) and its executionConfig as written. */
function configOf(object: unknown): { config: unknown; spec: Record<string, unknown> } | undefined {
  const spec = recordAt(object, 'spec')
  return spec === undefined ? undefined : { spec, config: spec['executionConfig'] }
}

export const executionTimeoutDefault = defineRule({
  id: 'execution-timeout-default',
  description:
    "sets spec.executionConfig.timeout to --default-timeout on CREATE when it is absent, and rewrites a set one in Go's Duration.String() form (90s → 1m30s)",
  kind: 'mutate',
  operations: ['CREATE'],
  subresources: [''],
  field: FIELD,
  applies: ({ object }) => {
    const found = configOf(object)
    if (found === undefined) return false
    const { config } = found
    if (config === undefined || config === null) return true
    if (!isRecord(config)) return false
    const timeout = config['timeout']
    return timeout === undefined || timeout === null || rewrite(timeout) !== undefined
  },
  mutate: ({ options }, draft) => {
    const found = configOf(draft)
    if (found === undefined) return {}
    const { spec, config } = found
    // config.ts already normalises the flag; a policy built by hand (the library API) may not have.
    const fallback = canonicalDuration(options.defaultTimeout) ?? options.defaultTimeout
    if (config === undefined || config === null) {
      spec['executionConfig'] = { timeout: fallback }
    } else if (isRecord(config) && (config['timeout'] === undefined || config['timeout'] === null)) {
      config['timeout'] = fallback
    } else if (isRecord(config)) {
      const was = config['timeout']
      const canonical = rewrite(was)
      if (canonical === undefined) return {}
      config['timeout'] = canonical
      return {
        warnings: [warning(FIELD, `rewritten from "${String(was)}" to "${canonical}", the form Go clients write back (metav1.Duration)`)],
      }
    } else {
      return {}
    }
    return { warnings: [warning(FIELD, `defaulted to "${fallback}" (no timeout was set)`)] }
  },
})

export const executionTimeoutRules = [executionTimeoutDefault]
