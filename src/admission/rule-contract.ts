// The rule contract: the shape of a rule and what it sees. Rules are data: an id, where they apply,
// and either a CEL expression or a small typed check/mutation where CEL cannot say it. It belongs to
// the core that runs rules (admit.ts); src/rules/ implements it and the core never imports rules/.
import type { AdmissionRequest, BlockDeletedEffect, Effect, Operation } from './types.js'
import type { FieldError, FieldErrorType, FieldWarning } from './field.js'
import type { WorkflowExecution } from '../api/workflowexecution.js'
import type { AdmissionOptions } from '../config.js'

/** '' is the main resource, 'status' the /status subresource. */
export type Subresource = '' | 'status'
export type Severity = 'deny' | 'warn'

/**
 * What a rule sees. `object` is the incoming object, as the mutations left it; on DELETE, the object
 * being deleted (the apiserver sends it as oldObject). A CONNECT carries no object and the core
 * allows it before any rule runs.
 */
export interface RuleContext {
  readonly request: AdmissionRequest
  readonly object: WorkflowExecution
  /** The stored object on UPDATE and DELETE; undefined on CREATE. */
  readonly oldObject: WorkflowExecution | undefined
  readonly options: AdmissionOptions
  /** The request's clock reading, taken once so every rule sees the same instant. */
  readonly now: Date
}

interface RuleBase<Id extends string = string> {
  /**
   * Stable kebab-case id; shows in causes, metrics, SARIF and docs. A built-in rule's id is a literal
   * type, so the rule table's ids form the RuleId union (rules/index.ts).
   */
  id: Id
  /** One sentence for the rule table. */
  description: string
  operations: readonly Operation[]
  subresources: readonly Subresource[]
  /** Field path the rule guards, Kubernetes style (`spec.targetResource`). */
  field: string
  /**
   * Validation ratcheting on UPDATE (docs/rules.md, "Ratcheting"). Omitted: an error about a value
   * the request left unchanged, which the stored object has too, warns instead of denying.
   * 'never': always denies (what the apiserver itself refuses and never ratchets).
   * 'field': as omitted, and the rule reads nothing but the value at `field` and never the stored
   * object, so when that value is unchanged it is not evaluated at all.
   */
  ratchet?: 'never' | 'field'
  /** Where a rule from a policy file was written, so a start-up error can point at it; unset for built-ins. */
  source?: { file: string; index: number; /** 1-based line of the rule in its file. */ line?: number }
}

/** A CEL rule: `expression` evaluates true when the object is acceptable. */
export interface CelRule<Id extends string = string> extends RuleBase<Id> {
  kind: 'validate'
  severity: Severity
  expression: string
  /** The detail after the type text; the path comes from `field`. */
  message?: string
  /** A CEL string expression for the detail, evaluated only on violation. */
  messageExpression?: string
  /** The error type reported; FieldValueInvalid (showing the value at `field`) by default. */
  reason?: FieldErrorType
}

/** A typed check: returns the errors it finds (its own fields and values). */
export interface CheckRule<Id extends string = string> extends RuleBase<Id> {
  kind: 'validate'
  /** The documented (default) severity; `severityFor` may change it from the options at compile time. */
  severity: Severity
  check: (ctx: RuleContext) => FieldError[]
  /** A severity an operator chooses (`--target-blocks=warn`), resolved once when the policy is compiled. */
  severityFor?: (options: AdmissionOptions) => Severity
}

export interface MutationOutcome {
  /** Errors deny the request; a mutation that denies adds no patch. */
  errors?: FieldError[]
  /** Shown to the client as admission warnings; the core stamps the rule id. */
  warnings?: FieldWarning[]
  effects?: Effect[]
}

/**
 * A mutation: edits `draft` in place; the core diffs it into a patch. Only the objects along the
 * path `field` names are copies (shallow on the way down, deep at the end of the path); everything
 * else is shared with the request. So a mutation writes at or under `field` alone, or it would
 * write into the request's own object.
 */
export interface MutateRule<Id extends string = string> extends RuleBase<Id> {
  kind: 'mutate'
  /** Optional cheap pre-check on the unmodified request; false skips the mutation with no copy. */
  applies?: (ctx: RuleContext) => boolean
  mutate: (ctx: RuleContext, draft: WorkflowExecution) => MutationOutcome
}

export type ValidateRule = CelRule | CheckRule

/** A validation rule ready to run: a CEL rule compiled (src/cel/rule.ts), or a typed check as is. */
export interface CompiledValidator {
  id: string
  severity: Severity
  run: (ctx: RuleContext) => FieldError[]
  /** The rule's ratcheting on UPDATE (see `ratchet` above); `field` rules are skipped when `path` is unchanged. */
  ratchet?: 'never' | 'field'
  /** `field` as segments, split once at compile time rather than per request. */
  path: readonly string[]
}
export type Rule = ValidateRule | MutateRule

/** Exists so TypeScript infers the rule's variant and keeps its id as a literal type (the RuleId union). */
export function defineRule<const R extends Rule>(rule: R): R {
  return rule
}

export function isCelRule(rule: Rule): rule is CelRule {
  return rule.kind === 'validate' && 'expression' in rule
}

/**
 * The rules grouped for serving (src/policy.ts compiles them): declared here, beside the rule, so the
 * core that runs them needs nothing from the layers above it.
 */
export interface RuleSet {
  validators: readonly CompiledValidator[]
  mutators: readonly MutateRule[]
  /** The field paths the mutators write (as segments): only the objects along them are copied per request. */
  mutationPaths: readonly (readonly string[])[]
}

export interface CompiledPolicy {
  readonly options: AdmissionOptions
  readonly rules: readonly Rule[]
  /** The rules for one operation on one subresource; an empty set when none apply. */
  select(operation: Operation, subresource: Subresource): RuleSet
  /** The apiserver audit annotations (and deletion evidence) for a request and its verdict (rules/clearance-audit.ts). */
  audit?: (input: AuditInput) => AuditOutcome | undefined
}

/** What the audit of a request sees: the request, both objects and the verdict (rules/clearance-audit.ts computes from it). */
export interface AuditInput {
  request: AdmissionRequest
  object: WorkflowExecution | undefined
  oldObject: WorkflowExecution | undefined
  options: AdmissionOptions
  allowed: boolean
  /** Ids of the rules that denied, when refused. */
  deniedBy: readonly string[]
  now: Date
}

export interface AuditOutcome {
  annotations: Record<string, string>
  /** An admitted deletion of a blocked execution: the deleter, kept as evidence at the edge. */
  effects: BlockDeletedEffect[]
}
