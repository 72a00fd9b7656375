// The realistic request mix shared by the benchmark and the load test: what the apiserver sends
// for a WorkflowExecution's life, with kubectl's last-applied annotation making each ~10 KiB.
import { randomUUID } from 'node:crypto'
import type { AdmissionRequest, AdmissionReview, UserInfo } from '../src/admission/types.js'
import type { WorkflowExecution } from '../src/api/workflowexecution.js'

const ORCHESTRATOR: UserInfo = {
  username: 'system:serviceaccount:kubernaut-system:remediationorchestrator',
  uid: 'ro',
  groups: ['system:serviceaccounts', 'system:authenticated'],
}
const CONTROLLER: UserInfo = {
  username: 'system:serviceaccount:kubernaut-system:workflowexecution-controller',
  uid: 'ctrl',
  groups: ['system:serviceaccounts', 'system:authenticated'],
}
const OPERATOR: UserInfo = { username: 'alice@kubernaut.ai', uid: 'alice', groups: ['sre', 'system:authenticated'] }

function workflowExecution(i: number, withTimeout: boolean): WorkflowExecution {
  const w: WorkflowExecution = {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: {
      name: `wfe-payment-api-${i}`,
      namespace: 'kubernaut-system',
      uid: `6f1c2d3e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      labels: { 'app.kubernetes.io/managed-by': 'remediationorchestrator', 'kubernaut.ai/remediation': `rr-payment-api-${i}` },
    },
    spec: {
      remediationRequestRef: {
        apiVersion: 'kubernaut.ai/v1alpha1',
        kind: 'RemediationRequest',
        name: `rr-payment-api-${i}`,
        namespace: 'kubernaut-system',
      },
      workflowRef: {
        workflowId: 'restart-deployment',
        version: 'v1.2.0',
        executionBundle: 'ghcr.io/kubernaut/workflows/restart:v1.2.0',
        executionBundleDigest: 'sha256:' + 'ab'.repeat(32),
      },
      targetResource: 'payment/Deployment/payment-api',
      parameters: Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`PARAM_${k}`, `value-${k}-${'x'.repeat(24)}`])),
      confidence: 0.92,
      rationale:
        'Pods were OOMKilled repeatedly; in three prior incidents a rolling restart with raised limits recovered the service. '.repeat(6),
    },
  }
  if (withTimeout) w.spec.executionConfig = { timeout: '45m' }
  // kubectl apply keeps the whole object in an annotation; it is what makes real reviews ~10 KiB.
  w.metadata.annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ ...w, metadata: { name: w.metadata.name } }),
  }
  return w
}

function failed(w: WorkflowExecution): WorkflowExecution {
  return {
    ...w,
    status: {
      phase: 'Failed',
      executionEngine: 'tekton',
      failureDetails: {
        failedTaskIndex: 1,
        failedTaskName: 'restart',
        reason: 'TaskFailed',
        message: 'step exited 1',
        failedAt: '2026-11-25T09:05:00Z',
        naturalLanguageSummary: 'The restart task failed.',
        wasExecutionFailure: true,
      },
    },
  }
}

function request(
  operation: 'CREATE' | 'UPDATE',
  object: WorkflowExecution,
  oldObject: WorkflowExecution | null,
  userInfo: UserInfo,
  subResource?: string,
): AdmissionRequest {
  const r: AdmissionRequest = {
    uid: randomUUID(),
    kind: { group: 'kubernaut.ai', version: 'v1alpha1', kind: 'WorkflowExecution' },
    resource: { group: 'kubernaut.ai', version: 'v1alpha1', resource: 'workflowexecutions' },
    name: object.metadata.name,
    namespace: 'kubernaut-system',
    operation,
    userInfo,
    object,
    oldObject,
    dryRun: false,
  }
  if (subResource !== undefined) r.subResource = subResource
  return r
}

export interface MixEntry {
  name: string
  /** Which endpoint the apiserver calls for it in the realistic mix. */
  path: '/mutate-workflowexecution' | '/validate-workflowexecution'
  review: AdmissionReview
  /** The answer a correct server gives. */
  expect: { allowed: boolean; patched: boolean }
}

export function requestMix(i = 1): MixEntry[] {
  const base = workflowExecution(i, true)
  const noTimeout = workflowExecution(i, false)
  const changed = structuredClone(base)
  changed.spec.targetResource = 'payment/Deployment/other'
  const running = { ...base, status: { phase: 'Running' as const, executionEngine: 'tekton' as const } }
  const pending = { ...base, status: { phase: 'Pending' as const } }
  const cleared = structuredClone(failed(base))
  cleared.status!.blockClearance = {
    clearedBy: '',
    clearReason: 'manual investigation complete, cluster state verified',
    clearMethod: 'StatusField',
  }
  const badTarget = workflowExecution(i, true)
  badTarget.spec.targetResource = 'payment//payment-api'
  const wrap = (r: AdmissionRequest): AdmissionReview => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: r })
  return [
    {
      name: 'create-with-timeout',
      path: '/validate-workflowexecution',
      review: wrap(request('CREATE', base, null, ORCHESTRATOR)),
      expect: { allowed: true, patched: false },
    },
    {
      name: 'create-without-timeout',
      path: '/mutate-workflowexecution',
      review: wrap(request('CREATE', noTimeout, null, ORCHESTRATOR)),
      expect: { allowed: true, patched: true },
    },
    {
      name: 'update-spec-change',
      path: '/validate-workflowexecution',
      review: wrap(request('UPDATE', changed, base, ORCHESTRATOR)),
      expect: { allowed: false, patched: false },
    },
    {
      name: 'status-routine',
      path: '/validate-workflowexecution',
      review: wrap(request('UPDATE', running, pending, CONTROLLER, 'status')),
      expect: { allowed: true, patched: false },
    },
    {
      name: 'status-clearance',
      path: '/mutate-workflowexecution',
      review: wrap(request('UPDATE', cleared, failed(base), OPERATOR, 'status')),
      expect: { allowed: true, patched: true },
    },
    {
      name: 'create-invalid-target',
      path: '/validate-workflowexecution',
      review: wrap(request('CREATE', badTarget, null, ORCHESTRATOR)),
      expect: { allowed: false, patched: false },
    },
  ]
}
