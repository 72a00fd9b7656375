// The mix of AdmissionReviews a real apiserver sends for the write sequence (lifecycle.ts), as
// recorded by bench/apiserver (recorder.ts) and kept in bench/fixtures/recorded-mix.json, and that
// mix rebuilt as load-generator entries: one entry per review the apiserver sends per lifecycle, so
// a generator cycling through them reproduces the recorded proportions.
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import type { AdmissionRequest, UserInfo } from '../../src/admission/types.js'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import { aFailedExecution, aWorkflowExecution } from '../../test/helpers/objects.js'
import type { MixEntry } from '../mix.js'
import type { RecordedReview } from './recorder.js'
import { USERS } from './lifecycle.js'

const FIXTURE = new URL('../fixtures/recorded-mix.json', import.meta.url)

export interface RecordedClass {
  webhook: RecordedReview['webhook']
  operation: string
  subresource: string
  phase: string
  clearance: boolean
  allowed: boolean
  patched: boolean
  /** Reviews of this class per lifecycle (7 writes). */
  perLifecycle: number
  meanBytes: number
}

export interface RecordedMix {
  recordedWith: string
  lifecycles: number
  classes: RecordedClass[]
}

export function summariseRecorded(reviews: readonly RecordedReview[], lifecycles: number): RecordedMix {
  const byKey = new Map<string, { c: RecordedClass; bytes: number; n: number }>()
  for (const r of reviews) {
    const key = [r.webhook, r.operation, r.subresource, r.phase, r.clearance, r.allowed, r.patched].join(' ')
    let e = byKey.get(key)
    if (e === undefined) {
      const { bytes: _b, ...rest } = r
      byKey.set(key, (e = { c: { ...rest, perLifecycle: 0, meanBytes: 0 }, bytes: 0, n: 0 }))
    }
    e.n++
    e.bytes += r.bytes
  }
  const classes = [...byKey.values()].map(({ c, bytes, n }) => ({ ...c, perLifecycle: n / lifecycles, meanBytes: Math.round(bytes / n) }))
  classes.sort((a, b) =>
    `${a.webhook} ${a.operation} ${a.subresource} ${a.phase}`.localeCompare(`${b.webhook} ${b.operation} ${b.subresource} ${b.phase}`),
  )
  return { recordedWith: 'bench/apiserver (kube-apiserver from test/cluster/tools)', lifecycles, classes }
}

export function describeRecorded(m: RecordedMix): string {
  const total = m.classes.reduce((n, c) => n + c.perLifecycle, 0)
  const parts = m.classes.map(
    (c) =>
      `${c.webhook} ${c.operation}${c.subresource === '' ? '' : '/' + c.subresource}${c.phase === '' ? '' : ' ' + c.phase}${c.clearance ? ' +clearance' : ''} ×${c.perLifecycle} (${(c.meanBytes / 1024).toFixed(1)} KiB${c.patched ? ', patched' : ''}${c.allowed ? '' : ', denied'})`,
  )
  return `${Math.round(total * 100) / 100} reviews per lifecycle: ${parts.join('; ')}`
}

export async function saveRecordedMix(m: RecordedMix): Promise<void> {
  await writeFile(FIXTURE, JSON.stringify(m, null, 2) + '\n')
}

export function loadRecordedMix(): RecordedMix {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as RecordedMix
}

const userOf = (c: RecordedClass): UserInfo => {
  const controller = c.subresource === 'status' && !c.clearance
  const username = controller ? USERS.controller : USERS.orchestrator
  return {
    username,
    uid: controller ? 'ctrl' : 'ro',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kubernaut-system', 'system:authenticated'],
  }
}

/** The stored object before and after the write a recorded class stands for, as lifecycle.ts makes them. */
function objects(c: RecordedClass, i: number): { object: WorkflowExecution | null; oldObject: WorkflowExecution | null } {
  const created = aWorkflowExecution((w) => {
    w.metadata = { ...w.metadata, name: `bench-${i}`, namespace: 'bench-writes', labels: { 'kubernaut.ai/remediation': `rr-bench-${i}` } }
    w.spec.executionConfig = { timeout: '30m0s' }
  })
  const failed = aFailedExecution((w) => (w.metadata = created.metadata))
  const withStatus = (status: WorkflowExecution['status']): WorkflowExecution => ({ ...created, status })
  if (c.operation === 'CREATE') return { object: created, oldObject: null }
  if (c.operation === 'DELETE') return { object: null, oldObject: cleared(failed) }
  if (c.subresource === 'status') {
    const running = withStatus({ phase: 'Running', startTime: failed.status!.startTime })
    const inPhase = c.phase === 'Pending' ? withStatus({ phase: 'Pending' }) : c.phase === 'Running' ? running : failed
    if (c.clearance) return { object: cleared(inPhase), oldObject: inPhase }
    const before = c.phase === 'Pending' ? created : c.phase === 'Running' ? withStatus({ phase: 'Pending' }) : running
    return { object: inPhase, oldObject: before }
  }
  const labelled = structuredClone(cleared(failed))
  labelled.metadata.labels = { ...labelled.metadata.labels, 'bench.kubernaut.ai/reviewed': 'true' }
  return { object: labelled, oldObject: cleared(failed) }
}

function cleared(failed: WorkflowExecution): WorkflowExecution {
  const w = structuredClone(failed)
  w.status!.blockClearance = {
    clearedBy: USERS.orchestrator,
    clearReason: 'node pressure resolved and the cluster state was verified',
    clearMethod: 'StatusField',
  }
  return w
}

/**
 * The answer to expect. A clearance's clearedAt must be the time of the request, and a generator
 * sends one fixed body for minutes: the mutating webhook therefore always rewrites clearedAt (a
 * patch; recorded without one when the client's second matched the server's), and the validating
 * webhook refuses the stale time (a denial that runs the same rules). Everything else as recorded.
 */
function expectation(c: RecordedClass): { allowed: boolean; patched: boolean } {
  if (c.clearance && c.webhook === 'mutate-status') return { allowed: c.allowed, patched: true }
  if (c.clearance && c.webhook === 'validate') return { allowed: false, patched: false }
  return { allowed: c.allowed, patched: c.patched }
}

/** Load-generator entries in the recorded proportions: one per review recorded over all the lifecycles. */
export function recordedMixEntries(m: RecordedMix = loadRecordedMix()): MixEntry[] {
  const out: MixEntry[] = []
  let i = 0
  for (const c of m.classes) {
    for (let k = 0; k < Math.round(c.perLifecycle * m.lifecycles); k++) {
      const { object, oldObject } = objects(c, i++)
      const request: AdmissionRequest = {
        uid: randomUUID(),
        kind: { group: 'kubernaut.ai', version: 'v1alpha1', kind: 'WorkflowExecution' },
        resource: { group: 'kubernaut.ai', version: 'v1alpha1', resource: 'workflowexecutions' },
        name: (object ?? oldObject)!.metadata.name,
        namespace: 'bench-writes',
        operation: c.operation as AdmissionRequest['operation'],
        userInfo: userOf(c),
        object,
        oldObject,
        dryRun: false,
      }
      if (c.subresource !== '') request.subResource = c.subresource
      out.push({
        name: `${c.webhook} ${c.operation}${c.subresource === '' ? '' : '/' + c.subresource}${c.phase === '' ? '' : ' ' + c.phase}${c.clearance ? ' clearance' : ''}`,
        path: c.webhook === 'validate' ? '/validate-workflowexecution' : '/mutate-workflowexecution',
        review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request },
        expect: expectation(c),
      })
    }
  }
  return out
}
