// Every message the docs quote as what a user sees (README.md, docs/audit.md, docs/demo.md,
// docs/ci.md) is what the real apiserver returns (issue 21). The quotes are collected from the files
// themselves: warning and error lines of transcripts, and code spans that read like an apiserver
// field error (`spec: Invalid value: …`, `…clearedBy: Forbidden: …`, `strict decoding error: …`).
// Each is reproduced here by the write it describes, made for real through kubectl as the user it
// names, and kubectl's output must contain it (`…` and `...` stand for any text, a quoted RFC 3339
// time for any time). A quote no scenario reproduces fails the suite: add the scenario, or stop
// quoting it.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../cluster/tools.js'
import { aFailedExecution } from '../helpers/objects.js'
import { USERS, cluster, create, eventually, kubectl, kubectlOk, namespace, patch, wfe, type K8sObject } from './harness.js'
import { webhookState, webhooksAnswering } from '../cluster/webhook.js'
import type { KubectlResult } from '../cluster/kubectl.js'

const SOURCES = ['README.md', 'docs/audit.md', 'docs/demo.md', 'docs/ci.md']
const ALICE = 'alice@kubernaut.ai'
const BOB = 'bob@kubernaut.ai'
const REASON = 'node pressure resolved and the cluster state was verified by hand'
const FAILED_STATUS = aFailedExecution().status as K8sObject
const ERROR_TYPE = '(?:Forbidden|Invalid value|Required value|Unsupported value)'
const QUOTE = new RegExp(`^(?:(?:metadata|spec|status)[\\w.\\[\\]/-]*: (?:${ERROR_TYPE}|…)|…[\\w.]*: |strict decoding error: )`)

/** The quotes of one file: transcript lines (`Warning:`, `Error from server`) and message-like code spans. */
function quotesIn(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const lines = [...text.matchAll(/^\s*((?:Warning: |Error from server \().*)$/gm)].map((m) => (m[1] as string).trim())
  const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string).filter((s) => QUOTE.test(s))
  return [...new Set([...lines, ...spans])]
}

/** A quote as a pattern: `…`/`...` match anything, a quoted time matches any quoted time. */
function pattern(quote: string): RegExp {
  const parts = quote.split(/…|\.\.\./).map((p) =>
    p
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/g, '"[^"]+"')
      .replace(/\\"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\\"/g, '"[^"]+"'),
  )
  return new RegExp(parts.join('[\\s\\S]*?'))
}

type Scenario = () => Promise<KubectlResult>

const nsPromise = namespace('e2e-docs')
let counter = 0
const fresh = (base: string): string => `${base}-${++counter}`

async function created(name: string, edit: (w: K8sObject) => void = () => {}): Promise<{ ns: string; name: string }> {
  const ns = await nsPromise
  const r = await create(wfe(ns, name, edit), { as: USERS.orchestrator })
  if (r.code !== 0) throw new Error(`create ${name}: ${r.stderr}`)
  return { ns, name }
}

async function statuses(ns: string, name: string, list: K8sObject[]): Promise<void> {
  for (const status of list) {
    const r = await patch(ns, name, { status }, { as: USERS.controller, status: true })
    if (r.code !== 0) throw new Error(`status ${String(status['phase'])}: ${r.stderr}`)
  }
}

const running = async (base: string): Promise<{ ns: string; name: string }> => {
  const o = await created(fresh(base))
  await statuses(o.ns, o.name, [{ phase: 'Pending' }, { phase: 'Running', startTime: FAILED_STATUS['startTime'] }])
  return o
}

async function failed(name: string, edit?: (w: K8sObject) => void): Promise<{ ns: string; name: string }> {
  const o = await created(name, edit)
  await statuses(o.ns, o.name, [{ phase: 'Pending' }, { phase: 'Running', startTime: FAILED_STATUS['startTime'] }, FAILED_STATUS])
  return o
}

async function clearedByAlice(base: string): Promise<{ ns: string; name: string }> {
  const o = await failed(fresh(base))
  const r = await patch(o.ns, o.name, { status: { blockClearance: { clearReason: REASON } } }, { as: ALICE, status: true })
  if (r.code !== 0) throw new Error(`alice's clearance: ${r.stderr}`)
  return o
}

const clearWith = async (reason: string): Promise<KubectlResult> => {
  const o = await failed(fresh('reason'))
  return patch(o.ns, o.name, { status: { blockClearance: { clearReason: reason } } }, { as: ALICE, status: true })
}

const annotate = (o: { ns: string; name: string }, annotation: string, as = ALICE): Promise<KubectlResult> =>
  kubectl(['annotate', 'workflowexecutions.kubernaut.ai', o.name, '-n', o.ns, annotation], { as })

/**
 * system:anonymous may write WorkflowExecutions in the scenario's namespace and read discovery (kubectl
 * needs it to map the resource); the suite grants it neither. The discovery binding goes in teardown.
 */
async function anonymousMayWrite(): Promise<void> {
  const ns = await nsPromise
  await kubectlOk([
    'create',
    'rolebinding',
    `anonymous-${++counter}`,
    '-n',
    ns,
    '--clusterrole=wfe-e2e-operator',
    '--user=system:anonymous',
  ])
  const exists = await kubectl(['get', 'clusterrolebinding', ANONYMOUS_DISCOVERY])
  if (exists.code !== 0) {
    await kubectlOk(['create', 'clusterrolebinding', ANONYMOUS_DISCOVERY, '--clusterrole=system:discovery', '--user=system:anonymous'])
    t.teardown(() => kubectlOk(['delete', 'clusterrolebinding', ANONYMOUS_DISCOVERY, '--ignore-not-found']))
  }
}
const ANONYMOUS_DISCOVERY = 'wfe-e2e-docs-anonymous-discovery'

/** Runs `write` once the apiserver no longer calls the mutating webhook (its configuration deleted), then puts it back. */
async function withoutMutating(write: () => Promise<KubectlResult>): Promise<KubectlResult> {
  const saved = JSON.parse(
    await kubectlOk(['get', 'mutatingwebhookconfiguration', 'wfe-admission.kubernaut.ai', '-o', 'json']),
  ) as K8sObject
  for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation']) delete saved['metadata'][key]
  await kubectlOk(['delete', 'mutatingwebhookconfiguration', 'wfe-admission.kubernaut.ai'])
  try {
    // The apiserver drops a deleted configuration asynchronously: a dry-run create that comes back
    // without the defaulted timeout, yet is still judged by the validating webhook, is the event.
    await eventually('only the validating webhook is called', async () => {
      const state = await webhookState(cluster)
      return state !== undefined && !state.mutating && state.validating ? true : undefined
    })
    return await write()
  } finally {
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(saved) })
    await eventually('both webhooks are called again', async () => ((await webhooksAnswering(cluster)) === true ? true : undefined))
  }
}

// Scenarios, keyed by a part of the quote that only their message has (the first key a quote holds wins).
const SCENARIOS: [key: string, run: Scenario][] = [
  [
    'Warning: spec.executionConfig.timeout: defaulted to "30m0s"',
    async () => {
      const ns = await nsPromise
      return create(
        wfe(ns, fresh('defaulted'), (w) => {
          delete w.spec.executionConfig
        }),
        { as: USERS.orchestrator },
      )
    },
  ],
  [
    'changed: status.blockClearance.clearReason, status.blockClearance.clearedBy',
    async () => {
      const o = await clearedByAlice('demo-bob')
      const body = { status: { blockClearance: { clearedBy: BOB, clearReason: 'it was me who fixed it, not alice, honestly' } } }
      return patch(o.ns, o.name, body, { as: BOB, status: true })
    },
  ],
  [
    'status.blockClearance: Forbidden: blockClearance is immutable once attributed',
    async () => {
      const o = await clearedByAlice('edit-record')
      return patch(o.ns, o.name, { status: { blockClearance: { clearedBy: BOB } } }, { as: BOB, status: true })
    },
  ],
  [
    'status.blockClearance: Forbidden: ... immutable',
    async () => {
      const o = await clearedByAlice('drop-record')
      return patch(o.ns, o.name, [{ op: 'remove', path: '/status/blockClearance' }], { as: USERS.controller, status: true, type: 'json' })
    },
  ],
  [
    'spec is immutable after creation (ADR-001)',
    async () => {
      const o = await created(fresh('spec-edit'))
      return patch(o.ns, o.name, { spec: { targetResource: 'payment/Deployment/other' } }, { as: USERS.controller })
    },
  ],
  [
    'status.phase: Invalid value',
    async () => {
      const o = await running('backwards')
      await statuses(o.ns, o.name, [{ phase: 'Completed', completionTime: FAILED_STATUS['completionTime'] }])
      return patch(o.ns, o.name, { status: { phase: 'Running' } }, { as: USERS.controller, status: true })
    },
  ],
  [
    'clearMethod "Annotation" copies the attribution',
    async () => {
      const o = await failed(fresh('copy'))
      const copy = { clearMethod: 'Annotation', clearReason: REASON, clearedBy: ALICE, clearedAt: '2026-11-25T10:20:30Z' }
      return patch(o.ns, o.name, { status: { blockClearance: copy } }, { as: USERS.controller, status: true })
    },
  ],
  [
    'status.blockClearance.clearMethod: Forbidden',
    async () => {
      const o = await failed(fresh('copy-short'))
      const copy = { clearMethod: 'Annotation', clearReason: REASON, clearedBy: ALICE, clearedAt: '2026-11-25T10:20:30Z' }
      return patch(o.ns, o.name, { status: { blockClearance: copy } }, { as: USERS.controller, status: true })
    },
  ],
  [
    'metadata.annotations[kubernaut.ai/clear-execution-block-by]: …',
    async () => {
      await anonymousMayWrite()
      const o = await failed(fresh('anonymous-annotation'))
      return annotate(o, `kubernaut.ai/clear-execution-block=${REASON}`, 'system:anonymous')
    },
  ],
  [
    'authentication required',
    async () => {
      await anonymousMayWrite()
      const o = await failed(fresh('anonymous'))
      return patch(o.ns, o.name, { status: { blockClearance: { clearReason: REASON } } }, { as: 'system:anonymous', status: true })
    },
  ],
  ['clearReason: Required value', () => clearWith('   ')],
  ['clearReason has 4 words', () => clearWith('checked the node manually')],
  ['clearReason has 0 words', () => clearWith('!!! ... --- ???')],
  [
    'status.blockClearance: Forbidden: nothing to clear',
    async () => {
      const o = await running('clear-running')
      return patch(o.ns, o.name, { status: { blockClearance: { clearReason: REASON } } }, { as: ALICE, status: true })
    },
  ],
  [
    'metadata.annotations[kubernaut.ai/clear-execution-block]: Forbidden: nothing to clear',
    async () => annotate(await running('annotate-running'), `kubernaut.ai/clear-execution-block=${REASON}`),
  ],
  [
    'failureDetails is immutable once the execution has failed',
    async () => {
      const o = await failed(fresh('flip'))
      return patch(o.ns, o.name, { status: { failureDetails: { wasExecutionFailure: false } } }, { as: USERS.controller, status: true })
    },
  ],
  [
    'deleting it would lift the block',
    async () => {
      const o = await failed('wfe-payment-api-1', (w) => {
        w.spec.targetResource = 'payment/Deployment/payment-api'
      })
      const refused = await kubectl(['delete', 'workflowexecutions.kubernaut.ai', o.name, '-n', o.ns, '--wait=false'], { as: ALICE })
      // The quoted target is the docs' own, which other files' examples use too: a block left in
      // force here would refuse their CREATEs (blocks span namespaces), so it is cleared at once.
      const cleared = await patch(o.ns, o.name, { status: { blockClearance: { clearReason: REASON } } }, { as: ALICE, status: true })
      if (cleared.code !== 0) throw new Error(`clearing the docs' block: ${cleared.stderr}`)
      return refused
    },
  ],
  [
    'annotation keys are case-sensitive',
    async () => annotate(await created(fresh('case')), `Kubernaut.AI/clear-execution-block=${REASON}`),
  ],
  [
    'the block was already cleared by',
    async () => annotate(await clearedByAlice('annotate-after'), `kubernaut.ai/clear-execution-block=${REASON}`),
  ],
  [
    'is written by the webhook only',
    async () => annotate(await failed(fresh('write-by')), `kubernaut.ai/clear-execution-block-by=${ALICE}`),
  ],
  [
    'must be the requesting user',
    async () => {
      const o = await failed(fresh('someone-else'))
      // What the mutating webhook would have written, but naming bob: the CRD requires every field.
      const forged = {
        clearReason: REASON,
        clearedBy: BOB,
        clearedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        clearMethod: 'StatusField',
      }
      return withoutMutating(() => patch(o.ns, o.name, { status: { blockClearance: forged } }, { as: ALICE, status: true }))
    },
  ],
  [
    'strict decoding error: unknown field "spec.rationae"',
    async () => {
      const ns = await nsPromise
      const typo = wfe(ns, fresh('typo')) as K8sObject
      typo['spec'].rationae = 'a misspelt rationale'
      return create(typo, { as: USERS.orchestrator, dryRun: true })
    },
  ],
]

const quotes = SOURCES.flatMap((file) => quotesIn(file).map((quote) => ({ file, quote })))

t.test('the docs quote messages, and each has a scenario', async (t) => {
  t.ok(quotes.length >= 20, `${quotes.length} quotes in ${SOURCES.join(', ')}`)
  for (const { file, quote } of quotes)
    t.ok(
      SCENARIOS.some(([key]) => quote.includes(key)),
      `${file}: \`${quote}\` is reproduced by a scenario here (add one, or stop quoting it)`,
    )
})

t.test('each quote is what the real apiserver returns for the write it describes', async (t) => {
  const results = new Map<string, KubectlResult>()
  for (const { file, quote } of quotes) {
    const entry = SCENARIOS.find(([key]) => quote.includes(key))
    if (entry === undefined) continue
    const [key, run] = entry
    let r = results.get(key)
    if (r === undefined) {
      r = await run()
      results.set(key, r)
    }
    t.match(r.stderr, pattern(quote), `${file}: \`${quote}\``)
  }
})
