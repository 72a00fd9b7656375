// Builders for WorkflowExecutions and AdmissionRequests exactly as the kube-apiserver sends them.
import { randomUUID } from 'node:crypto'
import type { AdmissionRequest, AdmissionReview, Operation, UserInfo } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { compilePolicy } from '../../src/policy.js'
import type { CompiledPolicy } from '../../src/admission/rule-contract.js'
import { DEFAULT_ADMISSION_OPTIONS, type AdmissionOptions } from '../../src/config.js'

export const FIXED_NOW = new Date('2026-11-25T10:20:30.456Z')
export const FIXED_NOW_RFC3339 = '2026-11-25T10:20:30Z'

export const OPERATOR: UserInfo = { username: 'alice@kubernaut.ai', uid: 'u-alice', groups: ['sre', 'system:authenticated'] }
export const CONTROLLER: UserInfo = {
  username: 'system:serviceaccount:kubernaut-system:workflowexecution-controller',
  uid: 'u-ctrl',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kubernaut-system', 'system:authenticated'],
}
export const ORCHESTRATOR: UserInfo = {
  username: 'system:serviceaccount:kubernaut-system:remediationorchestrator',
  uid: 'u-ro',
  groups: ['system:serviceaccounts', 'system:authenticated'],
}

/** A valid, fully populated WorkflowExecution as the orchestrator creates it. */
export function aWorkflowExecution(patch: (w: WorkflowExecution) => void = () => {}): WorkflowExecution {
  const w: WorkflowExecution = {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: {
      name: 'wfe-payment-api-1',
      namespace: 'kubernaut-system',
      uid: '6f1c2d3e-0000-4000-8000-000000000001',
      labels: { 'kubernaut.ai/remediation': 'rr-payment-api' },
    },
    spec: {
      remediationRequestRef: {
        apiVersion: 'kubernaut.ai/v1alpha1',
        kind: 'RemediationRequest',
        name: 'rr-payment-api',
        namespace: 'kubernaut-system',
      },
      workflowRef: { workflowId: 'restart-deployment', version: 'v1.2.0', executionBundle: 'ghcr.io/kubernaut/workflows/restart:v1.2.0' },
      targetResource: 'payment/Deployment/payment-api',
      parameters: { NAMESPACE: 'payment', DEPLOYMENT_NAME: 'payment-api' },
      confidence: 0.92,
      rationale: 'OOMKilled pods recovered after a rolling restart in 3 prior incidents',
    },
  }
  patch(w)
  return w
}

export interface RequestSpec {
  operation?: Operation
  object?: unknown
  oldObject?: unknown
  subResource?: string
  userInfo?: UserInfo
  dryRun?: boolean
  uid?: string
}

export function aRequest(spec: RequestSpec = {}): AdmissionRequest {
  const operation = spec.operation ?? 'CREATE'
  const obj = (spec.object ?? spec.oldObject) as WorkflowExecution | undefined
  const req: AdmissionRequest = {
    uid: spec.uid ?? randomUUID(),
    kind: { group: 'kubernaut.ai', version: 'v1alpha1', kind: 'WorkflowExecution' },
    resource: { group: 'kubernaut.ai', version: 'v1alpha1', resource: 'workflowexecutions' },
    requestKind: { group: 'kubernaut.ai', version: 'v1alpha1', kind: 'WorkflowExecution' },
    requestResource: { group: 'kubernaut.ai', version: 'v1alpha1', resource: 'workflowexecutions' },
    name: obj?.metadata?.name ?? '',
    namespace: obj?.metadata?.namespace ?? 'kubernaut-system',
    operation,
    userInfo: spec.userInfo ?? ORCHESTRATOR,
    object: operation === 'DELETE' ? null : (spec.object ?? null),
    oldObject: operation === 'CREATE' || operation === 'CONNECT' ? null : (spec.oldObject ?? null),
    dryRun: spec.dryRun ?? false,
    options:
      operation === 'CREATE'
        ? { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' }
        : operation === 'UPDATE'
          ? { apiVersion: 'meta.k8s.io/v1', kind: 'UpdateOptions' }
          : { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' },
  }
  if (spec.subResource !== undefined) {
    req.subResource = spec.subResource
    req.requestSubResource = spec.subResource
  }
  return req
}

export function aReview(request: AdmissionRequest, apiVersion: AdmissionReview['apiVersion'] = 'admission.k8s.io/v1'): AdmissionReview {
  return { apiVersion, kind: 'AdmissionReview', request }
}

export const TEST_OPTIONS: AdmissionOptions = { ...DEFAULT_ADMISSION_OPTIONS, now: () => FIXED_NOW }

export function testPolicy(options: Partial<AdmissionOptions> = {}): CompiledPolicy {
  return compilePolicy({ ...TEST_OPTIONS, ...options })
}

/** A failed execution, as the controller leaves it: the state an operator clears. */
export function aFailedExecution(patch: (w: WorkflowExecution) => void = () => {}): WorkflowExecution {
  return aWorkflowExecution((w) => {
    w.spec.executionConfig = { timeout: '30m0s' }
    w.status = {
      phase: 'Failed',
      executionEngine: 'tekton',
      startTime: '2026-11-25T09:00:00Z',
      completionTime: '2026-11-25T09:05:00Z',
      failureDetails: {
        failedTaskIndex: 1,
        failedTaskName: 'restart',
        reason: 'TaskFailed',
        message: 'step exited 1',
        failedAt: '2026-11-25T09:05:00Z',
        naturalLanguageSummary: 'The restart task failed after the rollout began.',
        wasExecutionFailure: true,
      },
    }
    patch(w)
  })
}
