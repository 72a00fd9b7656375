// The WorkflowExecution custom resource (kubernaut.ai/v1alpha1), modelled from its Go API docs.
// Pure types and constants: imported by every layer, imports only the CRD's generated schema.
import { CRD_OPEN_API_SCHEMA } from './crd-schema.generated.js'

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

// The enums the CRD declares are read from its generated schema, types and values both: adding a
// value is a CRD edit and `npm run generate`, and the type, the rule that checks it and its
// description follow. The named objects (Phase.Failed) map each value to itself.
const STATUS = CRD_OPEN_API_SCHEMA.properties.status.properties

/** `{ Failed: 'Failed', ... }` for an enum whose values are their own names. */
function named<const V extends string>(values: readonly V[]): { readonly [K in V]: K } {
  return Object.freeze(Object.fromEntries(values.map((v) => [v, v]))) as { readonly [K in V]: K }
}

export const PHASES = STATUS.phase.enum
export type Phase = (typeof PHASES)[number]
export const Phase = named(PHASES)

export const FAILURE_REASONS = STATUS.failureDetails.properties.reason.enum
export type FailureReason = (typeof FAILURE_REASONS)[number]
export const FailureReason = named(FAILURE_REASONS)

export const CLEAR_METHODS = STATUS.blockClearance.properties.clearMethod.enum
export type ClearMethod = (typeof CLEAR_METHODS)[number]
export const ClearMethod = named(CLEAR_METHODS)

/** metav1.Condition.status (corev1.ConditionStatus), as the CRD declares it for status.conditions[]. */
export const CONDITION_STATUSES = STATUS.conditions.items.properties.status.enum
export type ConditionStatus = (typeof CONDITION_STATUSES)[number]
export const ConditionStatus = named(CONDITION_STATUSES)

/** No enum in the CRD: the engines the workflow catalog knows today (an unknown one only warns). */
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
  /** No enum marker in the CRD's Go API: the catalog may name an engine outside ExecutionEngine (then UnsupportedEngine). */
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
