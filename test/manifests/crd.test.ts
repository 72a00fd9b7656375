import t from 'tap'
import { readFileSync } from 'node:fs'
import ts from 'typescript'
import { parse } from 'yaml'
import { RE2JS } from 're2js'
import { kustomize, one, ROOT } from './kustomize.js'
import {
  CLEAR_METHODS,
  CONDITION_STATUSES,
  EXECUTION_ENGINES,
  FAILURE_REASONS,
  GROUP,
  KIND,
  PHASES,
  RESOURCE,
  VERSION,
} from '../../src/api/workflowexecution.js'
import { SPEC_IMMUTABLE_MESSAGE } from '../../src/rules/spec-immutable.js'
import { MAX_TARGET_RESOURCE_LENGTH } from '../../src/rules/target-resource.js'
import { admit } from '../../src/admission/admit.js'
import { aRequest, aWorkflowExecution, testPolicy } from '../helpers/objects.js'
import { ruleIds } from '../helpers/verdict.js'

type Schema = {
  type?: string
  properties?: Record<string, Schema>
  items?: Schema
  required?: string[]
  enum?: unknown[]
  [k: string]: any
}

const crd = parse(readFileSync(`${ROOT}manifests/crd/workflowexecution.yaml`, 'utf8'))
const version = crd.spec.versions[0]
const root: Schema = version.schema.openAPIV3Schema

function at(path: string): Schema {
  let s: Schema | undefined = root
  for (const part of path.split('.')) s = part === '[]' ? s?.items : s?.properties?.[part]
  if (s === undefined) throw new Error(`no schema at ${path}`)
  return s
}

/** Each interface in the TypeScript model: its properties and which are not optional. */
function modelInterfaces(): Map<string, { props: string[]; required: string[] }> {
  const file = `${ROOT}src/api/workflowexecution.ts`
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022)
  const out = new Map<string, { props: string[]; required: string[] }>()
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return
    const members = node.members.filter(ts.isPropertySignature)
    out.set(node.name.text, {
      props: members.map((m) => m.name.getText(source)).sort(),
      required: members
        .filter((m) => m.questionToken === undefined)
        .map((m) => m.name.getText(source))
        .sort(),
    })
  })
  return out
}

t.test('names, scope, version, status subresource and printer columns', async (t) => {
  t.equal(crd.apiVersion, 'apiextensions.k8s.io/v1')
  t.equal(crd.metadata.name, `${RESOURCE}.${GROUP}`)
  t.match(crd.spec, {
    group: GROUP,
    scope: 'Namespaced',
    names: { kind: KIND, plural: RESOURCE, listKind: `${KIND}List`, singular: 'workflowexecution' },
  })
  t.equal(crd.spec.versions.length, 1)
  t.match(version, { name: VERSION, served: true, storage: true, subresources: { status: {} } })
  t.same(
    version.additionalPrinterColumns.map((c: { name: string; jsonPath: string }) => [c.name, c.jsonPath]),
    [
      ['Phase', '.status.phase'],
      ['Target', '.spec.targetResource'],
      ['Age', '.metadata.creationTimestamp'],
    ],
  )
})

t.test('enums agree with the TypeScript constants', async (t) => {
  t.same(at('status.phase').enum, PHASES)
  t.same(at('status.failureDetails.reason').enum, FAILURE_REASONS)
  t.same(at('status.blockClearance.clearMethod').enum, CLEAR_METHODS)
  t.same(at('status.conditions.[].status').enum, CONDITION_STATUSES)
})

t.test('no enum where the seed has no enum marker: executionEngine and executionStatus.status', async (t) => {
  // An engine outside the known list must be storable: FailureReason UnsupportedEngine reports it.
  t.equal(at('status.executionEngine').enum, undefined)
  t.equal(at('status.executionStatus.status').enum, undefined)
  t.ok(
    EXECUTION_ENGINES.every((e) => at('status.executionEngine').description.includes(e)),
    'the known engines are documented',
  )
})

t.test('every field and required field agrees with the TypeScript interfaces', async (t) => {
  const model = modelInterfaces()
  const pairs: [string, string][] = [
    ['spec', 'WorkflowExecutionSpec'],
    ['spec.remediationRequestRef', 'ObjectReference'],
    ['spec.workflowRef', 'WorkflowRef'],
    ['spec.executionConfig', 'ExecutionConfig'],
    ['status', 'WorkflowExecutionStatus'],
    ['status.executionStatus', 'ExecutionStatusSummary'],
    ['status.failureDetails', 'FailureDetails'],
    ['status.blockClearance', 'BlockClearanceDetails'],
    ['status.conditions.[]', 'Condition'],
  ]
  for (const [path, name] of pairs) {
    const iface = model.get(name)
    if (iface === undefined) throw new Error(`no interface ${name} in the model`)
    const schema = at(path)
    t.same(Object.keys(schema.properties ?? {}).sort(), iface.props, `${path} has exactly the fields of ${name}`)
    t.same([...(schema.required ?? [])].sort(), iface.required, `${path} requires exactly the non-optional fields of ${name}`)
  }
  t.same([...(root.required ?? [])], [], 'spec and status are omitempty in Go: neither is required')
})

t.test('structural: every node has a type, except engineConfig, which keeps unknown fields', async (t) => {
  const untyped: string[] = []
  const walk = (s: Schema, path: string): void => {
    if (s.type === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) untyped.push(path)
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${path}.${k}`)
    if (s.items) walk(s.items, `${path}[]`)
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}{}`)
  }
  walk(root, '')
  t.same(untyped, [])
  t.equal(at('spec.workflowRef.engineConfig')['x-kubernetes-preserve-unknown-fields'], true)
  for (const f of [
    'status.observedGeneration',
    'status.failureDetails.failedTaskIndex',
    'status.failureDetails.exitCode',
    'status.executionStatus.completedTasks',
    'status.executionStatus.totalTasks',
    'status.conditions.[].observedGeneration',
    'status.ephemeralCredentialIDs.[]',
  ]) {
    t.equal(at(f).type, 'integer', `${f} is an integer, as in Go`)
  }
  t.equal(at('spec.confidence').type, 'number')
})

t.test("spec is immutable with the webhook's message (ADR-001)", async (t) => {
  t.same(at('spec')['x-kubernetes-validations'], [{ rule: 'self == oldSelf', message: SPEC_IMMUTABLE_MESSAGE }])
})

t.test("the target-resource rule accepts whatever the webhook's format rule accepts, and rejects the wrong shapes", async (t) => {
  const [rule] = at('spec.targetResource')['x-kubernetes-validations'] as { rule: string; message: string }[]
  const m = /^self\.matches\('(.*)'\)$/.exec(rule?.rule ?? '')
  if (m?.[1] === undefined) throw new Error(`unexpected rule ${rule?.rule}`)
  const re = RE2JS.compile(m[1].replace(/\\\\/g, '\\')) // the CEL string literal, unescaped
  t.equal(rule?.message, 'must be namespace/kind/name or kind/name')
  const policy = testPolicy()
  const cases = [
    'payment/Deployment/payment-api',
    'payment/deployment/payment-api',
    'node/worker-node-1',
    'Node/worker-node-1',
    'prod/MyCustomThing/x.y-z',
    'a/b',
    'ClusterRole/system:aggregate-to-edit',
    'kube-system/Role/system:controller:bootstrap-signer',
    'payment/Widget/Some_Name',
    'payment//payment-api',
    '/payment/Deployment/api',
    'payment/Deployment/api/',
    'a/b/c/d',
    'Payment/Deployment/api',
    'payment/Deploy-ment/api',
    'payment/Deployment/API',
    'x',
    '',
    'ns/1kind/name',
    'ClusterRole/a%2Fb',
    'payment/Deployment',
  ]
  // The CRD checks the shape; the webhook also checks each name by its kind's rules (RBAC names are
  // path segments, Services DNS-1035 labels). The CRD must never refuse what the webhook admits.
  const crdOnlyShape = new Set(['payment/Deployment/API', 'payment/Deployment'])
  for (const target of cases) {
    const crdAccepts = re.matcher(target).find()
    const verdict = admit(
      aRequest({
        object: aWorkflowExecution((w) => {
          w.spec.targetResource = target
          w.spec.executionConfig = { timeout: '30m0s' }
        }),
      }),
      policy,
      'both',
    )
    const webhookFormatOk = !ruleIds(verdict).includes('target-resource-format')
    const want = crdOnlyShape.has(target) ? true : webhookFormatOk
    t.equal(
      crdAccepts,
      want,
      `${JSON.stringify(target)}: CRD ${crdAccepts ? 'accepts' : 'rejects'}, webhook format rule ${webhookFormatOk ? 'accepts' : 'rejects'}`,
    )
  }
  t.equal(at('spec.targetResource').maxLength, MAX_TARGET_RESOURCE_LENGTH, 'the same length limit as the webhook')
})

t.test('kubectl kustomize manifests/crd builds the CRD unchanged', async (t) => {
  const objects = await kustomize('manifests/crd')
  t.equal(objects.length, 1)
  t.same(one(objects, 'CustomResourceDefinition', `${RESOURCE}.${GROUP}`).spec, crd.spec)
})
