// One WorkflowExecution's life as real clients write it, step by step: the orchestrator creates it,
// the controller walks its status Pending → Running → Failed, an operator-side clearance is written
// to /status (the orchestrator's identity here), the orchestrator labels it and deletes it. Seven
// writes; the same sequence whether or not the webhooks are registered, and each must succeed.
import { aFailedExecution, aWorkflowExecution } from '../../test/helpers/objects.js'
import type { KubeClient, WriteResult } from './client.js'

export const USERS = {
  controller: 'system:serviceaccount:kubernaut-system:workflowexecution-controller',
  orchestrator: 'system:serviceaccount:kubernaut-system:remediationorchestrator-controller',
} as const

export const STEPS = ['create', 'status-pending', 'status-running', 'status-failed', 'clearance', 'label', 'delete'] as const
export type Step = (typeof STEPS)[number]

const MERGE = 'application/merge-patch+json'
const FAILED = aFailedExecution().status!

export interface Timed {
  step: Step
  ms: number
}

/** A lifecycle as a cursor: each call to next() makes the next write and says how long it took. */
export class Lifecycle {
  /** Clearances stored so far, by every lifecycle of this process: each is one audit record to write. */
  static clearances = 0
  private i = 0
  constructor(
    private readonly client: KubeClient,
    private readonly ns: string,
    private readonly name: string,
  ) {}

  get done(): boolean {
    return this.i >= STEPS.length
  }

  async next(): Promise<Timed> {
    const step = STEPS[this.i++]!
    const r = await this.write(step)
    if (r.status < 200 || r.status >= 300) throw new Error(`${step} of ${this.ns}/${this.name}: HTTP ${r.status} ${r.body.slice(0, 400)}`)
    if (step === 'clearance') Lifecycle.clearances++
    return { step, ms: r.ms }
  }

  private write(step: Step): Promise<WriteResult> {
    const base = `/apis/kubernaut.ai/v1alpha1/namespaces/${this.ns}/workflowexecutions`
    const item = `${base}/${this.name}`
    const status = (s: unknown): Promise<WriteResult> =>
      this.client.write('PATCH', `${item}/status`, { status: s }, USERS.controller, MERGE)
    switch (step) {
      case 'create': {
        const w = aWorkflowExecution((w) => {
          w.metadata = { name: this.name, namespace: this.ns, labels: { 'kubernaut.ai/remediation': `rr-${this.name}` } }
          w.spec.remediationRequestRef = { ...w.spec.remediationRequestRef, name: `rr-${this.name}`, namespace: this.ns }
          // Explicit, so the stored object is the same with and without the defaulting webhook.
          w.spec.executionConfig = { timeout: '30m0s' }
          // A target of its own: a failed execution blocks its target (issue 20) until cleared, and
          // lifecycles run concurrently; sharing one target would measure refusals, not writes.
          w.spec.targetResource = `${this.ns}/Deployment/${this.name}`
        })
        return this.client.write('POST', base, w, USERS.orchestrator)
      }
      case 'status-pending':
        return status({ phase: 'Pending' })
      case 'status-running':
        return status({ phase: 'Running', startTime: FAILED.startTime })
      case 'status-failed':
        return status(FAILED)
      case 'clearance':
        return this.client.write(
          'PATCH',
          `${item}/status`,
          {
            status: {
              blockClearance: {
                clearedBy: USERS.orchestrator,
                clearedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
                clearReason: 'node pressure resolved and the cluster state was verified',
                clearMethod: 'StatusField',
              },
            },
          },
          USERS.orchestrator,
          MERGE,
        )
      case 'label':
        return this.client.write(
          'PATCH',
          item,
          { metadata: { labels: { 'bench.kubernaut.ai/reviewed': 'true' } } },
          USERS.orchestrator,
          MERGE,
        )
      case 'delete':
        return this.client.write('DELETE', item, undefined, USERS.orchestrator)
    }
  }
}
