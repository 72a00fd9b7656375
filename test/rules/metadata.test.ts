import t from 'tap'
import { admit } from '../../src/admission/admit.js'
import { qualifiedNameProblem, MAX_ANNOTATIONS_BYTES } from '../../src/rules/metadata.js'
import { aFailedExecution, aRequest, aWorkflowExecution, OPERATOR, testPolicy } from '../helpers/objects.js'
import { message, ruleIds } from '../helpers/verdict.js'

const policy = testPolicy()

t.test('qualified names as the apiserver defines them', async (t) => {
  for (const ok of [
    'app',
    'app.kubernetes.io/name',
    'kubernaut.ai/clear-execution-block',
    'a_b.c-d',
    'x'.repeat(63),
    `${'a'.repeat(253)}/n`,
  ])
    t.equal(qualifiedNameProblem(ok), undefined, ok)
  for (const bad of ['', 'not a valid key!', '-x', 'x-', 'a/b/c', '/x', 'Example.com/x', 'x'.repeat(64), `${'a'.repeat(254)}/n`, 'ok.io/'])
    t.ok(qualifiedNameProblem(bad), bad)
})

t.test('labels and annotations the apiserver would refuse are denied on CREATE and UPDATE', async (t) => {
  const cases: [string, (w: ReturnType<typeof aWorkflowExecution>) => void, RegExp][] = [
    [
      'invalid label value',
      (w) => {
        w.metadata.labels = { a: 'not valid value!' }
      },
      /^metadata\.labels\[a\]: Invalid value: "not valid value!": a valid label must be/,
    ],
    [
      'label value over 63',
      (w) => {
        w.metadata.labels = { a: 'x'.repeat(64) }
      },
      /metadata\.labels\[a\]: Invalid value/,
    ],
    [
      'invalid label key',
      (w) => {
        w.metadata.labels = { 'bad key': 'v' }
      },
      /^metadata\.labels: Invalid value: "bad key": a qualified name/,
    ],
    [
      'invalid annotation key',
      (w) => {
        w.metadata.annotations = { 'not a valid key!': 'x' }
      },
      /^metadata\.annotations: Invalid value: "not a valid key!"/,
    ],
    [
      'annotations over 256 KiB',
      (w) => {
        w.metadata.annotations = { big: 'x'.repeat(MAX_ANNOTATIONS_BYTES) }
      },
      /^metadata\.annotations: Too long: may not be more than 262144 bytes$/,
    ],
  ]
  for (const [name, edit, re] of cases) {
    const create = admit(aRequest({ object: aWorkflowExecution(edit) }), policy, 'validate')
    t.equal(create.response.allowed, false, `${name} (CREATE)`)
    t.same(ruleIds(create, 'deny'), ['metadata-apiserver'], name)
    t.match(message(create), re, name)
    const update = admit(
      aRequest({ operation: 'UPDATE', object: aWorkflowExecution(edit), oldObject: aWorkflowExecution() }),
      policy,
      'validate',
    )
    t.equal(update.response.allowed, false, `${name} (UPDATE)`)
  }
  const fine = aWorkflowExecution((w) => {
    w.metadata.labels = { 'app.kubernetes.io/name': 'wfe', empty: '' }
    w.metadata.annotations = { 'Kubernaut.AI/Note': 'annotation keys are checked lowercased' }
  })
  t.equal(admit(aRequest({ object: fine }), policy, 'validate').response.allowed, true)
})

t.test('name, namespace, uid and creationTimestamp cannot change on update', async (t) => {
  const old = aWorkflowExecution((w) => {
    w.metadata.creationTimestamp = '2026-11-25T09:00:00Z'
  })
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const object = structuredClone(old)
    object.metadata[f] = f === 'creationTimestamp' ? '2026-11-25T09:00:01Z' : 'changed'
    const res = admit(aRequest({ operation: 'UPDATE', object, oldObject: old }), policy, 'validate')
    t.equal(res.response.allowed, false, f)
    t.equal(message(res), `metadata.${f}: Invalid value: "${object.metadata[f] as string}": field is immutable`, f)
  }
  const relabelled = structuredClone(old)
  relabelled.metadata.labels = { x: 'y' }
  t.equal(admit(aRequest({ operation: 'UPDATE', object: relabelled, oldObject: old }), policy, 'validate').response.allowed, true)
})

t.test('a clearance annotation riding on metadata the apiserver refuses is not audited', async (t) => {
  const old = aFailedExecution()
  const object = aFailedExecution((w) => {
    w.metadata.annotations = {
      'kubernaut.ai/clear-execution-block': 'node pressure resolved, cluster state verified manually',
      'not a valid key!': 'x',
    }
  })
  const res = admit(aRequest({ operation: 'UPDATE', object, oldObject: old, userInfo: OPERATOR }), policy, 'mutate')
  t.same(res.effects, [])
})
