// Rule violations by rule id and severity, with a child bound once per pair: labels() hashes its
// arguments on every call, and a denial is counted on the request path.
import { Counter, type Registry } from 'prom-client'
import type { Severity } from '../../admission/rule-contract.js'

export class RuleInstruments {
  private readonly violations: Counter<'rule' | 'severity'>
  private readonly children = new Map<string, Partial<Record<Severity, Counter.Internal>>>()

  constructor(registers: Registry[]) {
    this.violations = new Counter({
      name: 'wfe_admission_rule_violations_total',
      help: 'Rule violations by rule id and severity.',
      labelNames: ['rule', 'severity'],
      registers,
    })
  }

  counter(rule: string, severity: Severity): Counter.Internal {
    let bySeverity = this.children.get(rule)
    if (bySeverity === undefined) this.children.set(rule, (bySeverity = {}))
    return (bySeverity[severity] ??= this.violations.labels(rule, severity))
  }
}
