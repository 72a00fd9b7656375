// Shared by the block-clearance rule tests: only this feature's rule families in the policy, so each
// verdict is about block clearance, plus builders for status writes and the three clear annotations.
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { applyTo } from '../helpers/patch.js'
import type { UserInfo, WebhookKind } from '../../src/admission/types.js'
import type { BlockClearanceDetails, WorkflowExecution } from '../../src/api/workflowexecution.js'
import type { AdmissionOptions } from '../../src/config.js'
import { compilePolicy } from '../../src/policy.js'
import type { CompiledPolicy } from '../../src/admission/rule-contract.js'
import { blockClearanceRules } from '../../src/rules/block-clearance.js'
import { clearanceAnnotationRules } from '../../src/rules/clearance-annotations.js'
import { aFailedExecution, aRequest, OPERATOR, TEST_OPTIONS } from '../helpers/objects.js'
import { patchOf } from '../helpers/verdict.js'

export function clearancePolicy(options: Partial<AdmissionOptions> = {}): CompiledPolicy {
  return compilePolicy({ ...TEST_OPTIONS, ...options }, [], [...blockClearanceRules, ...clearanceAnnotationRules])
}
export const policy = clearancePolicy()
export const REASON = 'node pressure resolved, cluster state verified manually'
export const CLEAR = 'kubernaut.ai/clear-execution-block'
export const CLEAR_BY = 'kubernaut.ai/clear-execution-block-by'
export const CLEAR_AT = 'kubernaut.ai/clear-execution-block-at'
export const ANNOTATED_AT = '2026-11-25T10:00:00Z'
export const ALL: WebhookKind[] = ['mutate', 'validate', 'both']
export const ATTRIBUTED = {
  clearedBy: 'alice@kubernaut.ai',
  clearedAt: '2026-11-25T10:00:00Z',
  clearReason: REASON,
  clearMethod: 'StatusField',
}

export type Clearance = Partial<Record<keyof BlockClearanceDetails, unknown>>

export function withClearance(bc: Clearance | null | undefined, patch: (w: WorkflowExecution) => void = () => {}): WorkflowExecution {
  return aFailedExecution((w) => {
    if (bc !== undefined) (w.status as Record<string, unknown>)['blockClearance'] = bc
    patch(w)
  })
}

/** The three annotations as Flow 2 leaves them. */
export function annotated(w: WorkflowExecution, by = OPERATOR.username as string, reason = REASON, at = ANNOTATED_AT): void {
  w.metadata.annotations = { [CLEAR]: reason, [CLEAR_BY]: by, [CLEAR_AT]: at }
}

export interface StatusWrite {
  old?: WorkflowExecution
  object: WorkflowExecution
  user?: UserInfo
  dryRun?: boolean
  uid?: string
}

export function statusWrite(w: StatusWrite, webhook: WebhookKind, p = policy): AdmitResult {
  const req = aRequest({
    operation: 'UPDATE',
    subResource: 'status',
    object: w.object,
    oldObject: w.old ?? aFailedExecution(),
    userInfo: w.user ?? OPERATOR,
    dryRun: w.dryRun ?? false,
    uid: w.uid ?? 'req-1',
  })
  return admit(req, p, webhook)
}

export function clearanceAfter(w: WorkflowExecution, res: AdmitResult): Record<string, unknown> {
  return applyTo(w, patchOf(res)).status?.blockClearance as unknown as Record<string, unknown>
}
