// Layers point one way (eslint.layers.js): `npm run lint` refuses an import against the direction.
// This file proves the rules bite (a wrong-direction import in each layer is an error, through the
// project's own eslint.config.js too) and that src/ keeps to them, so `npm test` holds the layers
// even where the lint step is not run.
import t from 'tap'
import { ESLint, type Linter } from 'eslint'
import tseslint from 'typescript-eslint'

const ROOT = new URL('../../', import.meta.url).pathname
const layersModule: unknown = await import(new URL('../../eslint.layers.js', import.meta.url).href)
const layers = (layersModule as { layers: Linter.Config[] }).layers

/** ESLint with only the layer rules (no type information: fast enough to lint all of src/). */
const boundaries = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layers],
})

const LAYER_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax'])

async function layerErrors(eslint: ESLint, code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${file}` })
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId)).map((m) => m.message)
}

/** An import each layer may not make, with a word its error must contain. */
const WRONG_WAY: [file: string, code: string, says: RegExp][] = [
  ['src/admission/admit.ts', "import { builtinRules } from '../rules/index.js'\nexport const n = builtinRules.length\n", /rule-contract/],
  ['src/admission/ratchet.ts', "import { compileCelRule } from '../cel/rule.js'\nexport const f = compileCelRule\n", /never imports them/],
  ['src/api/json.ts', "import type { RuleContext } from '../admission/rule-contract.js'\nexport type C = RuleContext\n", /bottom layer/],
  ['src/cel/rule.ts', "import { builtinRules } from '../rules/index.js'\nexport const n = builtinRules.length\n", /above it/],
  ['src/rules/schema.ts', "import { compilePolicy } from '../policy.js'\nexport const p = compilePolicy\n", /never reach up/],
  ['src/config.ts', "import { admit } from './admission/admit.js'\nexport const a = admit\n", /sit just above api/],
  ['src/rules/metadata.ts', "import { buildApp } from '../server/app.js'\nexport const b = buildApp\n", /imports nothing from the shells/],
  ['src/policy.ts', "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n", /does no I\/O/],
  ['src/admission/decode.ts', "export const later = () => import('../api/json.js')\n", /does no I\/O/],
  ['src/server/app.ts', "import { main } from '../cli/main.js'\nexport const m = main\n", /top layer/],
  [
    'src/rules/clearance-audit.ts',
    "import { clearancesOf } from '../audit/stored-records.js'\nexport const c = clearancesOf\n",
    /imports nothing from the shells/,
  ],
  [
    'src/rules/clearance-lifting.ts',
    "import type { WorkflowExecution } from '../api/workflowexecution.js'\nexport const f = (w: WorkflowExecution) => (w.spec as unknown as Record<string, unknown>)['targetResource']\n",
    /valueAt/,
  ],
  [
    'src/rules/target-block.ts',
    "import { createBlockIndex } from '../blocks/block-index.js'\nexport const c = createBlockIndex\n",
    /imports nothing from the shells/,
  ],
  [
    'src/api/target-block.ts',
    "import { kubeRequest } from '../kube/request.js'\nexport const k = kubeRequest\n",
    /imports nothing from the shells/,
  ],
  ['src/blocks/block-index.ts', "import { blocks } from '../cli/commands/blocks.js'\nexport const b = blocks\n", /top layer/],
  ['src/watch/loop.ts', "import { main } from '../cli/main.js'\nexport const m = main\n", /top layer/],
  ['src/audit/recorder.ts', "import { main } from '../cli/main.js'\nexport const m = main\n", /top layer/],
]

t.test('an import against the layer direction is a lint error, with the reason', async (t) => {
  for (const [file, code, says] of WRONG_WAY) {
    const errors = await layerErrors(boundaries, code, file)
    t.equal(errors.length, 1, `${file}: ${code.split('\n')[0]}`)
    t.match(errors[0], says)
  }
  t.same(
    await layerErrors(boundaries, "import { isRecord } from '../api/json.js'\nexport const f = isRecord\n", 'src/admission/admit.ts'),
    [],
  )
  t.same(await layerErrors(boundaries, "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n", 'src/policy-file.ts'), [])
})

t.test("the project's eslint.config.js carries the layer rules (what `npm run lint` runs)", async (t) => {
  const project = new ESLint({ cwd: ROOT })
  const config = (await project.calculateConfigForFile(`${ROOT}src/admission/admit.ts`)) as Linter.Config
  const want = layers.find((l) => l.name === 'layers/admission')?.rules?.['no-restricted-imports'] as unknown[]
  t.same((config.rules?.['no-restricted-imports'] as unknown[]).slice(1), want.slice(1))
  const errors = await layerErrors(project, WRONG_WAY[0]![1], WRONG_WAY[0]![0])
  t.equal(errors.length, 1, 'linting through the real config refuses rules/ in admission/')
})

t.test('src/ keeps to the layers', async (t) => {
  const results = await boundaries.lintFiles(['src/**/*.ts'])
  t.ok(results.length > 80, `${results.length} files linted`)
  const found = results.flatMap((r) =>
    r.messages.filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId)).map((m) => `${r.filePath.slice(ROOT.length)}: ${m.message}`),
  )
  t.same(found, [])
})
