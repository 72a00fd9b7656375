// The story the demo plays: the life of a WorkflowExecution from the orchestrator's create to an
// operator clearing its failure block, with the writes that must be refused along the way. Data
// only; run.ts plays it against the real server and checks each verdict against `expect`.
import type { UserInfo } from '../src/admission/types.js'
import {
  ANNOTATION_CLEAR,
  API_VERSION,
  ClearMethod,
  KIND,
  Phase,
  type WorkflowExecution,
  type WorkflowExecutionStatus,
} from '../src/api/workflowexecution.js'
import type { Write } from './apiserver.js'

export const NAMESPACE = 'kubernaut-system'

export const ORCHESTRATOR: UserInfo = {
  username: 'system:serviceaccount:kubernaut-system:remediationorchestrator',
  uid: 'a3c5e7f9-0000-4000-8000-00000000000a',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kubernaut-system', 'system:authenticated'],
}
export const CONTROLLER: UserInfo = {
  username: 'system:serviceaccount:kubernaut-system:workflowexecution-controller',
  uid: 'a3c5e7f9-0000-4000-8000-00000000000c',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kubernaut-system', 'system:authenticated'],
}
/** `extra` is what an OIDC login carries; the audit line must never include it. */
export const ALICE: UserInfo = {
  username: 'alice@kubernaut.ai',
  uid: 'oidc:6c1f4a2e',
  groups: ['sre', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/credential-id': ['JTI=2f0c1a7e-demo'] },
}
export const BOB: UserInfo = { username: 'bob@kubernaut.ai', uid: 'oidc:93d0b7c1', groups: ['dev', 'system:authenticated'] }

export const FORGED_CLEARED_BY = 'mallory@example.com'
export const FORGED_CLEARED_AT = '2020-01-01T00:00:00Z'

export const REASONS = {
  wfe1: 'OOM root cause fixed by raising the memory limit, verified on staging',
  wfe2: 'node pool drained and replaced, payment-api verified healthy by hand',
  wfe3: 'a registry outage failed the image pull, pulls verified working again',
} as const

export interface Step {
  /** Unique and stable: tests and the transcript refer to a step by it ('1', '3b', '8a'). */
  id: string
  title: string
  /** One or two sentences on what is happening and why it matters. */
  note?: string
  user: UserInfo
  write: Write
  dryRun?: boolean
  /** The kubectl command when it is not the generated `kubectl create`/`kubectl patch`. */
  kubectl?: string
  expect: 'ALLOWED' | 'DENIED'
  /** After the step, print this part of the stored object (what `kubectl get -o jsonpath` shows). */
  show?: 'status.blockClearance' | 'metadata.annotations'
  /** Scene-setting: printed as one line. */
  setup?: boolean
}

export interface Chapter {
  number: number
  title: string
  steps: Step[]
}

function execution(name: string, remediation: string, timeout?: string): WorkflowExecution {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: NAMESPACE, labels: { 'kubernaut.ai/remediation': remediation } },
    spec: {
      remediationRequestRef: { apiVersion: API_VERSION, kind: 'RemediationRequest', name: remediation, namespace: NAMESPACE },
      workflowRef: { workflowId: 'restart-deployment', version: 'v1.2.0', executionBundle: 'ghcr.io/kubernaut/workflows/restart:v1.2.0' },
      targetResource: 'payment/Deployment/payment-api',
      parameters: { NAMESPACE: 'payment', DEPLOYMENT_NAME: 'payment-api' },
      confidence: 0.92,
      rationale: 'OOMKilled pods recovered after a rolling restart in 3 prior incidents',
      ...(timeout === undefined ? {} : { executionConfig: { timeout } }),
    },
  }
}

function create(object: WorkflowExecution): Write {
  return { kind: 'create', object }
}

function patch(name: string, body: Record<string, unknown>): Write {
  return { kind: 'patch', name, namespace: NAMESPACE, patch: body }
}

function statusPatch(name: string, status: Record<string, unknown>, fieldManager?: string): Write {
  return {
    kind: 'patch',
    name,
    namespace: NAMESPACE,
    subresource: 'status',
    patch: { status },
    ...(fieldManager === undefined ? {} : { fieldManager }),
  }
}

/** The controller's three status writes, from nothing to a failure that blocks the target. */
function lifecycle(at: (minutes: number) => string): Record<'pending' | 'running' | 'failed', WorkflowExecutionStatus> {
  return {
    pending: { phase: Phase.Pending },
    running: { phase: Phase.Running, executionEngine: 'tekton', startTime: at(0), executionRef: { name: 'restart-run-7k2lq' } },
    failed: {
      phase: Phase.Failed,
      completionTime: at(4),
      failureDetails: {
        failedTaskIndex: 1,
        failedTaskName: 'rollout-restart',
        reason: 'TaskFailed',
        message: 'step wait-rollout exited 1: progress deadline exceeded',
        failedAt: at(4),
        naturalLanguageSummary: 'The new pods never became ready; the rollout stopped halfway.',
        wasExecutionFailure: true,
      },
    },
  }
}

/** The whole story; `now` dates the controller's status timestamps. */
export function scenario(now: () => Date): Chapter[] {
  const t0 = now().getTime() - 10 * 60_000
  const at = (m: number): string => new Date(t0 + m * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const s = lifecycle(at)
  const ctrl = 'workflowexecution-controller'
  const [wfe1, wfe2, wfe3] = ['wfe-payment-api-1', 'wfe-payment-api-2', 'wfe-payment-api-3']
  const failSetup = (id: string, name: string, remediation: string): Step[] => [
    {
      id: `${id}.create`,
      title: `the orchestrator creates ${name}`,
      user: ORCHESTRATOR,
      write: create(execution(name, remediation, '45m')),
      expect: 'ALLOWED',
      setup: true,
    },
    {
      id: `${id}.running`,
      title: `the controller starts it (Running)`,
      user: CONTROLLER,
      write: statusPatch(name, { ...s.running }, ctrl),
      expect: 'ALLOWED',
      setup: true,
    },
    {
      id: `${id}.failed`,
      title: `the controller records an execution failure (Failed)`,
      user: CONTROLLER,
      write: statusPatch(name, { ...s.failed }, ctrl),
      expect: 'ALLOWED',
      setup: true,
    },
  ]
  return [
    {
      number: 1,
      title: 'The orchestrator creates a WorkflowExecution without a timeout',
      steps: [
        {
          id: '1',
          title: 'create',
          note: 'spec.executionConfig is absent: the mutating webhook defaults the timeout and says so.',
          user: ORCHESTRATOR,
          write: create(execution(wfe1, 'rr-payment-api-1')),
          expect: 'ALLOWED',
        },
      ],
    },
    {
      number: 2,
      title: 'Someone tries to change the spec',
      steps: [
        {
          id: '2',
          title: 'spec edit',
          note: 'A WorkflowExecution records one approved attempt; pointing it at another target is refused.',
          user: ORCHESTRATOR,
          write: patch(wfe1, { spec: { targetResource: 'payment/Deployment/payment-api-canary' } }),
          expect: 'DENIED',
        },
      ],
    },
    {
      number: 3,
      title: 'The controller moves it Pending → Running → Failed',
      steps: [
        {
          id: '3a',
          title: 'Pending',
          note: 'Routine status writes: the mutating webhook is not even called (its matchCondition), the validating one checks the phase order.',
          user: CONTROLLER,
          write: statusPatch(wfe1, { ...s.pending }, ctrl),
          expect: 'ALLOWED',
        },
        { id: '3b', title: 'Running', user: CONTROLLER, write: statusPatch(wfe1, { ...s.running }, ctrl), expect: 'ALLOWED' },
        {
          id: '3c',
          title: 'Failed, during execution',
          note: 'wasExecutionFailure: true — Kubernaut now blocks further remediation of this target until an operator clears it.',
          user: CONTROLLER,
          write: statusPatch(wfe1, { ...s.failed }, ctrl),
          expect: 'ALLOWED',
        },
      ],
    },
    {
      number: 4,
      title: 'A backwards phase write: Failed → Running',
      steps: [
        {
          id: '4',
          title: 'phase regression',
          note: 'A stale controller replica or a retried write must not resurrect a failed execution.',
          user: CONTROLLER,
          write: statusPatch(wfe1, { phase: Phase.Running }, ctrl),
          expect: 'DENIED',
        },
      ],
    },
    {
      number: 5,
      title: 'alice clears the block through the status subresource',
      steps: [
        {
          id: '5',
          title: 'clearance (StatusField)',
          note: `Her patch also claims clearedBy "${FORGED_CLEARED_BY}" and an old clearedAt: the webhook overwrites both from her authenticated request and its own clock.`,
          user: ALICE,
          write: statusPatch(wfe1, {
            blockClearance: { clearReason: REASONS.wfe1, clearedBy: FORGED_CLEARED_BY, clearedAt: FORGED_CLEARED_AT },
          }),
          expect: 'ALLOWED',
          show: 'status.blockClearance',
        },
      ],
    },
    {
      number: 6,
      title: 'bob tries to re-attribute the clearance to himself',
      steps: [
        {
          id: '6',
          title: 'forged re-attribution',
          note: 'Once clearedBy is stored the record is immutable, for every user and for the controller.',
          user: BOB,
          write: statusPatch(wfe1, {
            blockClearance: { clearedBy: BOB.username, clearReason: 'it was me who fixed it, not alice, honestly' },
          }),
          expect: 'DENIED',
        },
      ],
    },
    {
      number: 7,
      title: 'The annotation flow, on a second execution',
      steps: [
        ...failSetup('7', wfe2, 'rr-payment-api-2'),
        {
          id: '7a',
          title: 'alice annotates',
          note: 'A webhook on the main resource cannot write status: it records who and when in two annotations only it may write.',
          user: ALICE,
          write: { ...patch(wfe2, { metadata: { annotations: { [ANNOTATION_CLEAR]: REASONS.wfe2 } } }), fieldManager: 'kubectl-annotate' },
          kubectl: `kubectl annotate workflowexecution ${wfe2} -n ${NAMESPACE} ${ANNOTATION_CLEAR}="${REASONS.wfe2}"`,
          expect: 'ALLOWED',
          show: 'metadata.annotations',
        },
        {
          id: '7b',
          title: 'the controller copies it to status',
          note: 'The controller is in --trusted-controllers, so the attribution comes from the annotations the webhook wrote: alice, not the controller.',
          user: CONTROLLER,
          write: statusPatch(wfe2, { blockClearance: { clearMethod: ClearMethod.Annotation, clearReason: REASONS.wfe2 } }, ctrl),
          expect: 'ALLOWED',
          show: 'status.blockClearance',
        },
      ],
    },
    {
      number: 8,
      title: 'A server-side dry run: --dry-run=server',
      steps: [
        ...failSetup('8', wfe3, 'rr-payment-api-3'),
        {
          id: '8a',
          title: 'dry run',
          note: 'Same verdict and same patch as the real write, but nothing is stored and no audit line is written (sideEffects: NoneOnDryRun).',
          user: ALICE,
          write: statusPatch(wfe3, { blockClearance: { clearReason: REASONS.wfe3 } }),
          dryRun: true,
          expect: 'ALLOWED',
        },
        {
          id: '8b',
          title: 'the same write, for real',
          user: ALICE,
          write: statusPatch(wfe3, { blockClearance: { clearReason: REASONS.wfe3 } }),
          expect: 'ALLOWED',
          show: 'status.blockClearance',
        },
      ],
    },
  ]
}
