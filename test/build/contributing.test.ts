// CONTRIBUTING's three recipes (add a rule, an enum value, a flag), walked: each change is made in
// its one place, and everything downstream follows with no other edit.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { admit } from '../../src/admission/admit.js'
import { defineRule } from '../../src/admission/rule-contract.js'
import { invalid } from '../../src/admission/field.js'
import { compilePolicy } from '../../src/policy.js'
import { builtinRules, type RuleId } from '../../src/rules/index.js'
import { CRD_OPEN_API_SCHEMA } from '../../src/api/crd-schema.generated.js'
import { PHASES } from '../../src/api/workflowexecution.js'
import { STATUS_ENUMS } from '../../src/rules/status-enums.js'
import { crdOpenApiSchema, CRD_FILE, renderGeneratedSchema } from '../../scripts/crd-schema.js'
import { parseFlags, usage } from '../../src/cli/args.js'
import { SERVE_FLAGS, type FlagSpec } from '../../src/cli/flags.js'
import { aRequest, aWorkflowExecution, TEST_OPTIONS } from '../helpers/objects.js'

const CONTRIBUTING = readFileSync(new URL('../../CONTRIBUTING.md', import.meta.url), 'utf8')

t.test('add a rule: one defineRule record; the core runs it and stamps its id on what it finds', async (t) => {
  t.match(CONTRIBUTING, /## Add a rule/)
  const rule = defineRule({
    id: 'rationale-not-shouting',
    description: 'spec.rationale is not all capitals',
    kind: 'validate',
    severity: 'warn',
    operations: ['CREATE'],
    subresources: [''],
    field: 'spec.rationale',
    check: ({ object }) =>
      object.spec.rationale === object.spec.rationale?.toUpperCase() ? [invalid('spec.rationale', 'x', 'calm down')] : [],
  })
  const policy = compilePolicy(TEST_OPTIONS, [], [...builtinRules, rule])
  const loud = aWorkflowExecution((w) => (w.spec.rationale = 'RESTART IT'))
  const r = admit(aRequest({ object: loud }), policy, 'both')
  t.same(
    r.violations.map((v) => [v.error.origin, v.severity]),
    [['rationale-not-shouting', 'warn']],
  )
  // A built-in rule's id joins RuleId by being in the table: the type is derived, never listed.
  const ids: RuleId[] = builtinRules.map((x) => x.id as RuleId)
  t.equal(ids.length, builtinRules.length)
})

t.test('add an enum value: a CRD edit, then `npm run generate`; the model and the rule follow', async (t) => {
  t.match(CONTRIBUTING, /## Add an enum value/)
  const crd = readFileSync(CRD_FILE, 'utf8')
  const edited = crd.replace('enum: [Pending, Running, Completed, Failed]', 'enum: [Pending, Running, Completed, Failed, Paused]')
  t.not(edited, crd, 'the CRD edit (the one place)')
  const before = renderGeneratedSchema(crdOpenApiSchema(crd))
  const after = renderGeneratedSchema(crdOpenApiSchema(edited))
  t.match(after, /"Failed",\n\s*"Paused"\n/, 'npm run generate carries the value into crd-schema.generated.ts')
  t.equal(after.replace(/,\n\s*"Paused"/, ''), before, 'and nothing else')
  // What reads the generated schema: the model's value list is the schema's own array, and so is the rule's.
  t.equal(PHASES, CRD_OPEN_API_SCHEMA.properties.status.properties.phase.enum)
  t.equal(STATUS_ENUMS.find((e) => e.id === 'status-phase-enum')?.values, PHASES)
})

t.test('add a flag: one row in the table; parsing, its default, its environment variable and --help follow', async (t) => {
  t.match(CONTRIBUTING, /src\/cli\/flags\.ts/)
  const row = {
    name: 'max-widgets',
    type: 'number',
    env: 'WFE_MAX_WIDGETS',
    default: 3,
    commands: ['serve'],
    description: 'most widgets',
  } as const satisfies FlagSpec
  const table = [...SERVE_FLAGS, row] as const
  const n: number = parseFlags([], table, {}).values['max-widgets']
  t.equal(n, 3, 'the default, typed as a number')
  t.equal(parseFlags([], table, { WFE_MAX_WIDGETS: '7' }).values['max-widgets'], 7, 'the environment variable')
  t.equal(parseFlags(['--max-widgets', '9'], table, {}).values['max-widgets'], 9, 'the flag')
  t.match(usage('serve', 'x', table), /--max-widgets N\s+most widgets \(default 3\) \[\$WFE_MAX_WIDGETS\]/)
})
