// The block, enforced (docs/blocks.md). The CRD: "CRITICAL: Execution failures (true) block ALL
// future retries for this target. Pre-execution failures (false) get exponential backoff", and a
// blockClearance "allows new executions despite previous execution failure". So a CREATE for a
// target with an uncleared execution failure is refused, naming the execution and the command that
// clears it. The cluster-wide state is an injected read-only view (src/blocks/), never I/O here.
import { forbidden, type FieldError } from '../admission/field.js'
import type { BlockingExecution, BlockView, TargetBlockOptions } from '../api/target-block.js'
import { defineRule, type RuleContext } from '../admission/rule-contract.js'
import { valueAt } from './field-values.js'

const FIELD = 'spec.targetResource'
/** What a clearance written moments ago may still be doing: reaching every replica (docs/blocks.md, "Lag"). */
export const PROPAGATION_HINT =
  'a block cleared in the last second may not have reached this webhook yet (3 replicas all saw a clearance within 0.23 s in 120 of 120 tries; docs/blocks.md): retry'
const REASON_PLACEHOLDER = '<what you investigated and found>'

function targetOf(ctx: RuleContext): string | undefined {
  const t = valueAt(ctx.object, 'spec', 'targetResource')
  return typeof t === 'string' ? t : undefined
}

/** How stale the view is at `now`, or undefined when it cannot be trusted at all (never synced, or past the limit). */
function usableStaleness(view: BlockView, options: TargetBlockOptions, now: Date): number | undefined {
  if (!view.everSynced()) return undefined
  const since = view.staleSince()
  const ms = since === undefined ? 0 : Math.max(0, now.getTime() - since.getTime())
  return ms > options.maxStalenessMs ? undefined : ms
}

/** The view to judge from, with its staleness; undefined when the rules cannot judge. */
function judged(ctx: RuleContext): { view: BlockView; staleMs: number; target: string } | undefined {
  const options = ctx.options.targetBlocks
  if (options.mode === 'off' || options.view === undefined) return undefined
  const target = targetOf(ctx)
  if (target === undefined) return undefined
  const staleMs = usableStaleness(options.view, options, ctx.now)
  return staleMs === undefined ? undefined : { view: options.view, staleMs, target }
}

/** `wfe-admission clear …` and its kubectl equivalent, for a message. */
export function clearCommands(namespace: string, name: string): string {
  const patch = JSON.stringify({ status: { blockClearance: { clearReason: REASON_PLACEHOLDER } } })
  return `wfe-admission clear ${name} -n ${namespace} --reason "${REASON_PLACEHOLDER}" (or kubectl patch workflowexecution ${name} -n ${namespace} --subresource=status --type=merge -p '${patch}')`
}

function staleNote(staleMs: number): string {
  return staleMs > 0
    ? `; note: this webhook's view of the cluster is ${Math.round(staleMs / 1000)}s stale (its watch of WorkflowExecutions broke), so it judges from the last blocks it saw`
    : ''
}

function failedWhy(b: BlockingExecution): string {
  const at = b.failedAt === '' ? 'at an unrecorded time' : `at ${b.failedAt}`
  const summary = b.naturalLanguageSummary === '' ? '' : `: ${b.naturalLanguageSummary}`
  return `${at} (${b.reason === '' ? 'no reason recorded' : b.reason}${summary})`
}

export const targetBlocked = defineRule({
  id: 'target-blocked',
  description:
    'a CREATE is refused while another WorkflowExecution for the same spec.targetResource (kind case-insensitive) failed during execution and is not cleared (--target-blocks=deny|warn|off; docs/blocks.md)',
  kind: 'validate',
  severity: 'deny',
  severityFor: (options) => (options.targetBlocks.mode === 'warn' ? 'warn' : 'deny'),
  operations: ['CREATE'],
  subresources: [''],
  field: FIELD,
  check: (ctx): FieldError[] => {
    const j = judged(ctx)
    const state = j?.view.lookup(j.target)
    const first = state?.blocking[0]
    if (j === undefined || state === undefined || first === undefined) return []
    const more = state.blocking.length - 1
    const others = more > 0 ? `; ${more} more failed execution${more === 1 ? '' : 's'} block it too (wfe-admission blocks -A)` : ''
    return [
      forbidden(
        FIELD,
        `target "${j.target}" is blocked: WorkflowExecution ${first.namespace}/${first.name} failed during execution ${failedWhy(first)}, and an execution failure blocks every new execution for its target until someone investigates and clears it: ${clearCommands(first.namespace, first.name)}${others}; ${PROPAGATION_HINT}${staleNote(j.staleMs)}`,
      ),
    ]
  },
})

export const targetBackoff = defineRule({
  id: 'target-backoff',
  description:
    'with --pre-execution-backoff=BASE,MAX, a CREATE is refused until failedAt + BASE·2^(n-1) (at most MAX) after the newest of n consecutive pre-execution failures of the same target',
  kind: 'validate',
  severity: 'deny',
  operations: ['CREATE'],
  subresources: [''],
  field: FIELD,
  check: (ctx): FieldError[] => {
    const backoff = ctx.options.targetBlocks.backoff
    if (backoff === undefined) return []
    const j = judged(ctx)
    const pre = j?.view.lookup(j.target)?.preExecution
    if (j === undefined || pre === undefined || pre.failures < 1) return []
    const waitMs = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(pre.failures - 1, 52))
    const until = pre.lastFailedAtMs + waitMs
    const left = until - ctx.now.getTime()
    if (left <= 0) return []
    const retryAt = new Date(Math.ceil(until / 1000) * 1000).toISOString().replace('.000Z', 'Z')
    return [
      forbidden(
        FIELD,
        `target "${j.target}" is backing off: ${pre.failures} consecutive pre-execution failure${pre.failures === 1 ? '' : 's'}, the latest WorkflowExecution ${pre.last.namespace}/${pre.last.name} failed before execution ${failedWhy(pre.last)}; retry at ${retryAt} (in ${Math.ceil(left / 1000)}s; --pre-execution-backoff)${staleNote(j.staleMs)}`,
      ),
    ]
  },
})

export const targetBlocksUnknown = defineRule({
  id: 'target-blocks-unknown',
  description:
    "warns on a CREATE admitted without judging target blocks because the webhook's view of the cluster is not synced yet or staler than --target-blocks-max-staleness",
  kind: 'validate',
  severity: 'warn',
  operations: ['CREATE'],
  subresources: [''],
  field: FIELD,
  check: (ctx): FieldError[] => {
    const options = ctx.options.targetBlocks
    const view = options.view
    if (options.mode === 'off' || view === undefined || targetOf(ctx) === undefined) return []
    if (usableStaleness(view, options, ctx.now) !== undefined) return []
    const since = view.staleSince()
    const why = !view.everSynced()
      ? "the webhook's list of WorkflowExecutions has not synced yet"
      : `the webhook's view of WorkflowExecutions is ${Math.round((ctx.now.getTime() - (since?.getTime() ?? 0)) / 1000)}s stale, past --target-blocks-max-staleness`
    return [forbidden(FIELD, `target blocks were not evaluated: ${why}; the CREATE is admitted unjudged (docs/blocks.md)`)]
  },
})

export const targetBlockRules = [targetBlocked, targetBackoff, targetBlocksUnknown]
