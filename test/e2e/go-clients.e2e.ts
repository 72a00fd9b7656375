// Go's and the apiserver's dialect, against the real ones: a Go controller's typed round-trip of
// what the webhook stored, durations written as Go writes them, no enum the seed does not declare,
// metav1.Condition as the apiserver validates it (and `check` saying the same), names per kind, what
// the apiserver prunes before admission, integers beyond 2^53, and a review full of `<`.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../cluster/tools.js'
import { admit } from '../../src/admission/admit.js'
import { errorString } from '../../src/admission/field.js'
import { CONTROLLER, aRequest, testPolicy } from '../helpers/objects.js'
import { USERS, cluster, create, get, kubectl, namespace, patch, wfe, type K8sObject } from './harness.js'

const ns = await namespace('e2e-go')

/** Runs a command to its exit (the event waited for); resolves with its output. */
function run(cmd: string, args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOFLAGS: '-mod=readonly' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

// test/cluster/tools/roundtrip, built once (Go's build cache makes it quick after the first time).
const roundtripDir = await mkdtemp(join(tmpdir(), 'wfe-roundtrip-'))
t.teardown(() => rm(roundtripDir, { recursive: true, force: true }))
const roundtripBin = join(roundtripDir, 'roundtrip')
const built = await run('go', ['build', '-o', roundtripBin, './roundtrip'], join(ROOT, 'test/cluster/tools'))
if (built.code !== 0) throw new Error(`go build ./roundtrip failed: ${built.stderr}`)

const roundtrip = (name: string, status = false) =>
  run(roundtripBin, ['-kubeconfig', cluster.kubeconfig, '-namespace', ns, '-name', name, ...(status ? ['-status'] : [])], ROOT)

const noTimeout = (name: string, more: (w: K8sObject) => void = () => {}) =>
  wfe(ns, name, (w) => {
    delete w.spec.executionConfig
    more(w)
  })

t.test("a Go controller decodes the defaulted object into the seed's types, adds its finalizer and Update()s it: allowed", async (t) => {
  const r = await create(noTimeout('go-default'), { as: USERS.orchestrator })
  t.equal(r.code, 0, r.stderr)
  const stored = await get(ns, 'go-default')
  t.equal(stored.spec.executionConfig.timeout, '30m0s', 'the default is stored as metav1.Duration writes it')
  const rt = await roundtrip('go-default')
  t.equal(rt.code, 0, rt.stderr)
  const after = await get(ns, 'go-default')
  t.ok(after.metadata.finalizers.includes('kubernaut.ai/workflowexecution-cleanup'), 'the finalizer is stored')
  t.same(after.spec, stored.spec, 'the spec is what it was')
})

t.test('a timeout in another spelling is stored as Go writes it, with a warning, and survives the round-trip', async (t) => {
  const r = await create(
    wfe(ns, 'go-90s', (w) => {
      w.spec.executionConfig = { timeout: '90s' }
    }),
    { as: USERS.orchestrator },
  )
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /Warning: spec\.executionConfig\.timeout: rewritten from "90s" to "1m30s"/)
  t.equal((await get(ns, 'go-90s')).spec.executionConfig.timeout, '1m30s')
  const rt = await roundtrip('go-90s')
  t.equal(rt.code, 0, rt.stderr)
})

t.test('status written by the controller (durations, conditions, an engine outside the list) survives a Go UpdateStatus()', async (t) => {
  await create(noTimeout('go-status'), { as: USERS.orchestrator })
  const status = {
    phase: 'Running',
    startTime: '2026-11-25T09:00:00Z',
    duration: '1m30s',
    executionEngine: 'argo',
    observedGeneration: 1,
    conditions: [
      {
        type: 'TokenTTLInsufficient',
        status: 'False',
        lastTransitionTime: '2026-11-25T09:00:00Z',
        reason: 'TokenTTLSufficient',
        message: '',
      },
    ],
  }
  const p = await patch(ns, 'go-status', { status }, { status: true, as: USERS.controller })
  t.equal(p.code, 0, p.stderr)
  t.match(p.stderr, /Warning: status\.executionEngine: Unsupported value: "argo"/, 'an unknown engine warns and is stored')
  t.equal((await get(ns, 'go-status')).status.executionEngine, 'argo')
  const rt = await roundtrip('go-status', true)
  t.equal(rt.code, 0, rt.stderr)
  t.equal(JSON.parse(rt.stdout).status.duration, '1m30s')
})

t.test('durations are read as Go reads them', async (t) => {
  const half = await create(
    wfe(ns, 'half-ns', (w) => {
      w.spec.executionConfig = { timeout: '0.5ns' }
    }),
    { as: USERS.orchestrator },
  )
  t.not(half.code, 0)
  t.match(half.stderr, /spec\.executionConfig\.timeout: Invalid value: "0\.5ns": must be greater than zero \(Go reads it as 0s\)/)
  const over = await create(
    wfe(ns, 'overflow', (w) => {
      w.spec.executionConfig = { timeout: '9223372036854775808ns' }
    }),
    { as: USERS.orchestrator },
  )
  t.not(over.code, 0)
  t.match(over.stderr, /must be at most 2562047h47m16\.854775807s/)
  await create(noTimeout('bad-duration'), { as: USERS.orchestrator })
  const d = await patch(ns, 'bad-duration', { status: { phase: 'Pending', duration: '1d' } }, { status: true, as: USERS.controller })
  t.not(d.code, 0)
  t.match(d.stderr, /status\.duration: Invalid value: "1d"/)
})

t.test('metav1.Condition: the apiserver refuses what `check` refuses, in the same words', async (t) => {
  await create(noTimeout('conditions'), { as: USERS.orchestrator })
  const cases: [string, Record<string, unknown>][] = [
    ['reason pattern', { reason: 'not valid' }],
    ['type pattern', { type: 'bad type' }],
    ['message length', { message: 'x'.repeat(32769) }],
    ['reason empty', { reason: '' }],
    ['type length', { type: 'T'.repeat(317) }],
    ['negative observedGeneration', { observedGeneration: -1 }],
  ]
  for (const [name, over] of cases) {
    const condition = {
      type: 'Ready',
      status: 'True',
      lastTransitionTime: '2026-11-25T09:00:00Z',
      reason: 'Checked',
      message: 'm',
      ...over,
    }
    const r = await patch(
      ns,
      'conditions',
      { status: { phase: 'Pending', conditions: [condition] } },
      { status: true, as: USERS.controller },
    )
    t.not(r.code, 0, `${name}: refused`)
    const stored = await get(ns, 'conditions')
    const sent = { ...stored, status: { phase: 'Pending', conditions: [condition] } }
    const offline = admit(
      aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, object: sent, oldObject: stored }),
      testPolicy(),
      'both',
    )
    const errors = offline.violations.filter((v) => v.severity === 'deny').map((v) => errorString(v.error))
    t.equal(errors.length, 1, `${name}: one offline error`)
    t.ok(
      r.stderr.includes(errors[0] ?? '?'),
      `${name}: the apiserver says what check says:\n  apiserver: ${r.stderr.trim().slice(0, 400)}\n  check:     ${(errors[0] ?? '').slice(0, 400)}`,
    )
  }
})

t.test('targetResource names by their kind: RBAC names are path segments; a missing name says so', async (t) => {
  const ok = await create(
    wfe(ns, 'rbac-target', (w) => {
      w.spec.targetResource = 'ClusterRole/system:aggregate-to-edit'
    }),
    { as: USERS.orchestrator },
  )
  t.equal(ok.code, 0, ok.stderr)
  const missing = await create(
    wfe(ns, 'missing-name', (w) => {
      w.spec.targetResource = 'payment/Deployment'
    }),
    { as: USERS.orchestrator },
  )
  t.not(missing.code, 0)
  t.match(missing.stderr, /name is missing: "payment\/Deployment" reads as namespace\/kind/)
})

t.test('unknown fields: kubectl refuses them by default; with --validate=warn the apiserver prunes and warns, as check does', async (t) => {
  const obj = wfe(ns, 'pruned', (w) => {
    ;(w.spec as unknown as K8sObject).timeOut = '5m'
  })
  // kubectl's default is --validate=strict: the apiserver refuses the unknown field outright.
  const strict = await create(obj, { as: USERS.orchestrator })
  t.not(strict.code, 0)
  t.match(strict.stderr, /strict decoding error: unknown field "spec\.timeOut"/)
  // Controllers and kubectl --validate=warn get the field pruned and a warning, which check reports.
  const r = await kubectl(['create', '--validate=warn', '-f', '-'], { input: JSON.stringify(obj), as: USERS.orchestrator })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /Warning: unknown field "spec\.timeOut"/)
  t.notOk('timeOut' in (await get(ns, 'pruned')).spec)
})

t.test('nulls of non-nullable fields are pruned before the webhooks: confidence: null against no confidence is no change', async (t) => {
  const created = await create(
    wfe(ns, 'nulls', (w) => {
      delete w.spec.confidence
    }),
    { as: USERS.orchestrator },
  )
  t.equal(created.code, 0, created.stderr)
  const fresh = await get(ns, 'nulls')
  t.notOk('confidence' in fresh.spec)
  fresh.spec.confidence = null
  fresh.metadata.labels = { ...fresh.metadata.labels, team: 'payments' }
  const replaced = await kubectl(['replace', '-f', '-'], { input: JSON.stringify(fresh), as: USERS.alice })
  t.equal(replaced.code, 0, replaced.stderr)
  t.equal((await get(ns, 'nulls')).metadata.labels.team, 'payments')
})

t.test('an integer beyond 2^53 in engineConfig: a change by one is a change, the same value is not', async (t) => {
  const text = JSON.stringify(
    wfe(ns, 'bigint', (w) => {
      w.spec.workflowRef.engineConfig = { jobTemplateId: 'ID' }
    }),
  ).replace('"ID"', '9007199254740992')
  const r = await kubectl(['create', '-f', '-'], { input: text, as: USERS.orchestrator })
  t.equal(r.code, 0, r.stderr)
  const raw = await kubectl(['get', 'workflowexecutions.kubernaut.ai', 'bigint', '-n', ns, '-o', 'json'])
  t.match(raw.stdout, /"jobTemplateId": 9007199254740992\b/, 'stored exactly')
  const same = raw.stdout.replace('"kubernaut.ai/remediation"', '"team": "payments", "kubernaut.ai/remediation"')
  const sameR = await kubectl(['replace', '-f', '-'], { input: same, as: USERS.alice })
  t.equal(sameR.code, 0, sameR.stderr)
  const after = await kubectl(['get', 'workflowexecutions.kubernaut.ai', 'bigint', '-n', ns, '-o', 'json'])
  const changed = await kubectl(['replace', '-f', '-'], {
    input: after.stdout.replace('9007199254740992', '9007199254740993'),
    as: USERS.alice,
  })
  t.not(changed.code, 0, 'refused: the spec changed')
  t.match(changed.stderr, /spec is immutable/)
})

t.test('a near-maximal object full of `<` reaches the webhook and gets a verdict', async (t) => {
  // kubectl is Go: it escapes `<` itself, so its body is six times the text and the apiserver's 3 MiB
  // limit stops it first. A client that does not escape (client-node, JSON.stringify) sends 2.5 MiB
  // of `<`, and the apiserver re-encodes it for the webhook as about 15 MiB. Dry run: an object this
  // large could never be stored (etcd), but a dry run is answered without etcd.
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(cluster.kubeconfig)
  const api = kc.makeApiClient(k8s.CustomObjectsApi)
  const big = wfe(ns, 'angle-brackets', (w) => {
    w.spec.rationale = '<'.repeat(2.5 * 1024 * 1024)
  })
  const created = (await api.createNamespacedCustomObject({
    group: 'kubernaut.ai',
    version: 'v1alpha1',
    namespace: ns,
    plural: 'workflowexecutions',
    body: big,
    dryRun: 'All',
  })) as K8sObject
  t.equal(created.spec.rationale.length, 2.5 * 1024 * 1024, 'admitted by both webhooks (a 413 would be a denial under failurePolicy: Fail)')
  t.equal(created.spec.executionConfig.timeout, '30m0s', 'and mutated: the mutating webhook read it whole')
  const viaKubectl = await create(big, { as: USERS.orchestrator, dryRun: true })
  t.match(
    viaKubectl.stderr,
    /Request entity too large: limit is 3145728/,
    "kubectl (Go) escapes `<` itself and meets the apiserver's limit",
  )
})
