// compilePolicy(): every rule compiled once, grouped by operation and subresource, so a request
// only looks up its own short list. Nothing is parsed or compiled while a request is served.
import type { Operation } from './admission/types.js'
import type { CompiledPolicy, CompiledValidator, MutateRule, Rule, RuleSet, Subresource } from './admission/rule-contract.js'
import { isCelRule } from './admission/rule-contract.js'
import { compileCelRule, ruleLocation } from './cel/rule.js'
import { fieldSegments } from './admission/lookup.js'
import { builtinRules } from './rules/index.js'
import { clearanceAudit } from './rules/clearance-audit.js'
import { DEFAULT_ADMISSION_OPTIONS, type AdmissionOptions } from './config.js'
import { WfeError } from './errors.js'

const EMPTY: RuleSet = Object.freeze({ validators: [], mutators: [], mutationPaths: [] })

export function compilePolicy(
  options: AdmissionOptions = DEFAULT_ADMISSION_OPTIONS,
  extraRules: readonly Rule[] = [],
  rules: readonly Rule[] = builtinRules,
): CompiledPolicy {
  // A severity chosen by an option is fixed here, so every request, metric and report sees one value.
  const all = [...rules, ...extraRules].map((r) =>
    r.kind === 'validate' && 'severityFor' in r && r.severityFor !== undefined ? { ...r, severity: r.severityFor(options) } : r,
  )
  const seen = new Map<string, Rule>()
  for (const r of all) {
    const first = seen.get(r.id)
    if (first !== undefined) throw duplicateId(r, first)
    seen.set(r.id, r)
  }
  const groups = new Map<string, { validators: CompiledValidator[]; mutators: MutateRule[] }>()
  for (const rule of all) {
    const compiled = rule.kind === 'validate' ? compileValidator(rule) : undefined
    for (const op of rule.operations) {
      for (const sub of rule.subresources) {
        const key = `${op}/${sub}`
        let g = groups.get(key)
        if (g === undefined) groups.set(key, (g = { validators: [], mutators: [] }))
        if (compiled !== undefined) g.validators.push(compiled)
        else g.mutators.push(rule as MutateRule)
      }
    }
  }
  const frozen = new Map<string, RuleSet>()
  for (const [k, g] of groups) {
    const paths = Object.freeze(g.mutators.map((m) => Object.freeze(fieldSegments(m.field))))
    frozen.set(k, Object.freeze({ validators: Object.freeze(g.validators), mutators: Object.freeze(g.mutators), mutationPaths: paths }))
  }
  return Object.freeze({
    options,
    rules: Object.freeze(all),
    select: (operation: Operation, subresource: Subresource) => frozen.get(`${operation}/${subresource}`) ?? EMPTY,
    audit: clearanceAudit,
  })
}

/** A rule from a policy file names its file and place; the same id twice anywhere else is a compile error. */
function duplicateId(rule: Rule, first: Rule): WfeError {
  if (rule.source === undefined) return new WfeError('WFE_ERR_RULE_COMPILE', `rule ${rule.id}: duplicate rule id`)
  if (first.source === undefined)
    return new WfeError('WFE_ERR_POLICY_FILE', `${ruleLocation(rule)}: id: collides with a built-in rule id; choose another id`)
  if (first.source.file === rule.source.file)
    return new WfeError('WFE_ERR_POLICY_FILE', `${ruleLocation(rule)}: id: duplicate of rules[${first.source.index}]`)
  return new WfeError('WFE_ERR_RULE_COMPILE', `rule ${rule.id}: duplicate rule id`)
}

function compileValidator(rule: Exclude<Rule, MutateRule>): CompiledValidator {
  // A CEL rule that reads oldObject is a transition rule, which the apiserver never ratchets (oldSelf).
  const transition = isCelRule(rule) && /\boldObject\b/.test(`${rule.expression} ${rule.messageExpression ?? ''}`)
  const ratchet = rule.ratchet ?? (transition ? 'never' : undefined)
  const base = {
    id: rule.id,
    severity: rule.severity,
    path: Object.freeze(fieldSegments(rule.field)),
    ...(ratchet === undefined ? {} : { ratchet }),
  }
  return { ...base, run: isCelRule(rule) ? compileCelRule(rule) : rule.check }
}
