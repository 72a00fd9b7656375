// The WorkflowExecution custom resource (kubernaut.ai/v1alpha1), modelled from its Go API docs.
// Pure types and constants: imported by every layer, imports nothing.

export const GROUP = 'kubernaut.ai'
export const VERSION = 'v1alpha1'
export const API_VERSION = `${GROUP}/${VERSION}`
export const KIND = 'WorkflowExecution'
export const RESOURCE = 'workflowexecutions'

/** Annotation an operator sets to clear a PreviousExecutionFailed block (Flow 2). */
export const ANNOTATION_CLEAR = 'kubernaut.ai/clear-execution-block'
/** Written by the webhook only: who set ANNOTATION_CLEAR. */
export const ANNOTATION_CLEAR_BY = 'kubernaut.ai/clear-execution-block-by'
/** Written by the webhook only: when ANNOTATION_CLEAR was set. */
export const ANNOTATION_CLEAR_AT = 'kubernaut.ai/clear-execution-block-at'

export const Phase = {
  Pending: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Failed',
} as const
export type Phase = (typeof Phase)[keyof typeof Phase]
export const PHASES: readonly Phase[] = Object.values(Phase)

export const FailureReason = {
  OOMKilled: 'OOMKilled',
  DeadlineExceeded: 'DeadlineExceeded',
  Forbidden: 'Forbidden',
  ResourceExhausted: 'ResourceExhausted',
  ConfigurationError: 'ConfigurationError',
  ImagePullBackOff: 'ImagePullBackOff',
  TaskFailed: 'TaskFailed',
  UnsupportedEngine: 'UnsupportedEngine',
  Unknown: 'Unknown',
} as const
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason]
export const FAILURE_REASONS: readonly FailureReason[] = Object.values(FailureReason)

export const ClearMethod = {
  Annotation: 'Annotation',
  APIEndpoint: 'APIEndpoint',
  StatusField: 'StatusField',
} as const
export type ClearMethod = (typeof ClearMethod)[keyof typeof ClearMethod]
export const CLEAR_METHODS: readonly ClearMethod[] = Object.values(ClearMethod)

/** corev1.ConditionStatus, also used by metav1.Condition.status. */
export const ConditionStatus = { True: 'True', False: 'False', Unknown: 'Unknown' } as const
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus]
export const CONDITION_STATUSES: readonly ConditionStatus[] = Object.values(ConditionStatus)

export const ExecutionEngine = { Tekton: 'tekton', Job: 'job', Ansible: 'ansible' } as const
export type ExecutionEngine = (typeof ExecutionEngine)[keyof typeof ExecutionEngine]
export const EXECUTION_ENGINES: readonly ExecutionEngine[] = Object.values(ExecutionEngine)

/** Issue #501 condition and reasons for TokenRequest TTL validation. */
export const ConditionTokenTTLInsufficient = 'TokenTTLInsufficient'
export const ReasonTokenTTLShortened = 'TokenTTLShortened'
export const ReasonTokenTTLSufficient = 'TokenTTLSufficient'
export const EventTokenTTLShortened = 'TokenTTLShortened'

/**
 * Seed: "Default: use global timeout from RemediationRequest or 30m". Written as Go's
 * Duration.String() writes 30m, so a Go client's Update() sends back the same text.
 */
export const DEFAULT_EXECUTION_TIMEOUT = '30m0s'

/** metav1.Time and metav1.Duration travel as strings (RFC 3339, Go duration). */
export type Time = string
export type Duration = string

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  deletionTimestamp?: Time
  [key: string]: unknown
}

export interface ObjectReference {
  kind?: string
  namespace?: string
  name?: string
  uid?: string
  apiVersion?: string
  resourceVersion?: string
  fieldPath?: string
}

export interface WorkflowRef {
  workflowId: string
  version: string
  executionBundle: string
  executionBundleDigest?: string
  /** Engine-specific configuration; x-kubernetes-preserve-unknown-fields. */
  engineConfig?: unknown
}

export interface ExecutionConfig {
  timeout?: Duration
}

export interface WorkflowExecutionSpec {
  remediationRequestRef: ObjectReference
  workflowRef: WorkflowRef
  /** "namespace/kind/name" or "kind/name". */
  targetResource: string
  parameters?: Record<string, string>
  confidence?: number
  rationale?: string
  executionConfig?: ExecutionConfig
}

export interface ExecutionStatusSummary {
  /** The seed declares no enum marker: True, False or Unknown are expected, others only warn. */
  status: string
  reason?: string
  message?: string
  completedTasks?: number
  totalTasks?: number
}

export interface FailureDetails {
  failedTaskIndex: number
  failedTaskName: string
  failedStepName?: string
  reason: FailureReason
  message: string
  exitCode?: number
  failedAt: Time
  executionTimeBeforeFailure?: Duration
  naturalLanguageSummary: string
  wasExecutionFailure?: boolean
}

export interface BlockClearanceDetails {
  clearedAt?: Time
  clearedBy: string
  clearReason: string
  clearMethod: ClearMethod
}

export interface Condition {
  type: string
  status: ConditionStatus
  observedGeneration?: number
  lastTransitionTime: Time
  reason: string
  message: string
}

export interface WorkflowExecutionStatus {
  observedGeneration?: number
  phase?: Phase
  startTime?: Time
  completionTime?: Time
  duration?: Duration
  executionRef?: { name?: string }
  executionStatus?: ExecutionStatusSummary
  /** Deprecated: use failureDetails. */
  failureReason?: string
  failureDetails?: FailureDetails
  blockClearance?: BlockClearanceDetails
  ephemeralCredentialIDs?: number[]
  /** No enum marker in the seed: the catalog may name an engine outside ExecutionEngine (then UnsupportedEngine). */
  executionEngine?: string
  serviceAccountName?: string
  conditions?: Condition[]
}

export interface WorkflowExecution {
  apiVersion: typeof API_VERSION
  kind: typeof KIND
  metadata: ObjectMeta
  spec: WorkflowExecutionSpec
  status?: WorkflowExecutionStatus
}
