// The shipped valid examples (examples/valid/workflowexecution.yaml and examples/update/), built in so
// a policy rule is evaluated on them at load wherever the server runs (the image ships dist/ only).
// test/cli/policy-check.test.ts keeps them equal to the files.
import type { WorkflowExecution } from '../api/workflowexecution.js'

export const SAMPLE_FILES = {
  created: 'examples/valid/workflowexecution.yaml',
  stored: 'examples/update/stored.yaml',
  relabelled: 'examples/update/labels-added.yaml',
  completed: 'examples/update/status-completed.yaml',
} as const

export const CREATED: WorkflowExecution = {
  apiVersion: 'kubernaut.ai/v1alpha1',
  kind: 'WorkflowExecution',
  metadata: {
    name: 'wfe-payment-api-restart',
    namespace: 'kubernaut-system',
    labels: { 'kubernaut.ai/remediation-request': 'rr-payment-api-oom' },
  },
  spec: {
    remediationRequestRef: {
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'RemediationRequest',
      name: 'rr-payment-api-oom',
      namespace: 'kubernaut-system',
    },
    workflowRef: {
      workflowId: 'restart-deployment',
      version: 'v1.2.0',
      executionBundle: 'ghcr.io/kubernaut/workflows/restart-deployment:v1.2.0',
      executionBundleDigest: 'sha256:4f8c7e2a9b1d3c5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e',
    },
    targetResource: 'payment/Deployment/payment-api',
    parameters: { NAMESPACE: 'payment', DEPLOYMENT_NAME: 'payment-api' },
    confidence: 0.92,
    rationale: 'OOMKilled pods recovered after a rolling restart in 3 prior incidents',
    executionConfig: { timeout: '15m0s' },
  },
}

export const STORED: WorkflowExecution = {
  apiVersion: 'kubernaut.ai/v1alpha1',
  kind: 'WorkflowExecution',
  metadata: { name: 'wfe-payment-api-restart', namespace: 'kubernaut-system' },
  spec: {
    remediationRequestRef: { kind: 'RemediationRequest', name: 'rr-payment-api-oom', namespace: 'kubernaut-system' },
    workflowRef: {
      workflowId: 'restart-deployment',
      version: 'v1.2.0',
      executionBundle: 'ghcr.io/kubernaut/workflows/restart-deployment:v1.2.0',
    },
    targetResource: 'payment/Deployment/payment-api',
    parameters: { NAMESPACE: 'payment', DEPLOYMENT_NAME: 'payment-api' },
    confidence: 0.92,
    rationale: 'OOMKilled pods recovered after a rolling restart in 3 prior incidents',
    executionConfig: { timeout: '15m0s' },
  },
  status: { phase: 'Running', executionEngine: 'tekton', startTime: '2026-11-25T09:00:00Z' },
}

// The update examples are the stored object with one change each (the files are written out in
// full; the test keeps these equal to them).
export const RELABELLED: WorkflowExecution = {
  ...STORED,
  metadata: { ...STORED.metadata, labels: { team: 'payments' } },
}

export const COMPLETED: WorkflowExecution = {
  ...STORED,
  status: {
    phase: 'Completed',
    executionEngine: 'tekton',
    startTime: '2026-11-25T09:00:00Z',
    completionTime: '2026-11-25T09:04:10Z',
    duration: '4m10s',
  },
}
