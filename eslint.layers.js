// The layers of src/, lowest first: each may import only from the layers below it, so a request's
// walk through admit() never climbs out of the core, and the core never reaches the shells. Shared
// by eslint.config.js (what `npm run lint` enforces) and test/build/layers.test.ts (which proves
// the rules bite and that src/ keeps to them).

/** A folder (or file) and the ones it may not import, with the reason the linter prints. */
const SHELLS = ['server', 'cli', 'tls', 'certs', 'effects', 'watch', 'audit', 'blocks', 'kube']
const shellGroups = SHELLS.map((s) => `**/${s}/**`)

const CORE_IS_PURE =
  'the core (api/, config.ts, errors.ts, admission/, cel/, rules/, policy*.ts) does no I/O and imports nothing from the shells (server/, cli/, tls/, certs/, effects/, watch/, audit/, blocks/, kube/): they call it, never the reverse'
/** Node modules that do I/O; only policy-file.ts (reading --policy files at start-up) may use one. */
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'tls',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'worker_threads',
  'cluster',
]
const ioPaths = IO_MODULES.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: CORE_IS_PURE }))

/**
 * One entry per layer: `files`, the groups it may not import and why. A later entry for the same
 * file replaces an earlier one's options (ESLint does not merge them), so every entry lists all of
 * its layer's restrictions.
 */
const LAYERS = [
  {
    name: 'api',
    files: ['src/api/**/*.ts'],
    forbidden: [
      ['**/admission/**', '**/cel/**', '**/rules/**', '**/policy.js', '**/policy-file.js', '**/config.js', '**/errors.js'],
      'api/ is the bottom layer (the WorkflowExecution model, the CRD schema, value helpers such as semanticEqual): everything imports it and it imports nothing from src/',
    ],
    io: true,
  },
  {
    name: 'config and errors',
    files: ['src/config.ts', 'src/errors.ts'],
    forbidden: [
      ['**/admission/**', '**/cel/**', '**/rules/**', '**/policy.js', '**/policy-file.js'],
      'config.ts and errors.ts sit just above api/: the core reads them, they read nothing of the core',
    ],
    io: true,
  },
  {
    name: 'admission',
    files: ['src/admission/**/*.ts'],
    forbidden: [
      ['**/cel/**', '**/rules/**', '**/policy.js', '**/policy-file.js'],
      'admission/ is the core that runs rules and owns their contract (rule-contract.ts): rules/ and cel/ implement it and policy.ts compiles them, so admission/ never imports them (shared value helpers live in api/)',
    ],
    io: true,
  },
  {
    name: 'cel',
    files: ['src/cel/**/*.ts'],
    forbidden: [
      ['**/rules/**', '**/policy.js', '**/policy-file.js'],
      'cel/ compiles and runs CEL rules for the core; the built-in rules (rules/) and policy.ts are above it',
    ],
    io: true,
  },
  {
    name: 'rules',
    files: ['src/rules/**/*.ts'],
    forbidden: [
      ['**/policy.js', '**/policy-file.js'],
      'rules/ are data the policy compiles; they implement admission/rule-contract.ts and never reach up to policy.ts',
    ],
    io: true,
    syntax: [
      {
        selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
        message:
          'a rule reads the object through rules/field-values.ts (valueAt, recordAt, annotationsOf), never a cast through unknown: the object is unvalidated input, whatever its type says',
      },
    ],
  },
  { name: 'policy', files: ['src/policy.ts', 'src/index.ts'], forbidden: [[], ''], io: true },
  // policy-file.ts reads --policy files at start-up: the one file of the core that does I/O.
  { name: 'policy-file', files: ['src/policy-file.ts'], forbidden: [[], ''], io: false },
]

function restrictions(layer) {
  const [groups, message] = layer.forbidden
  const patterns = [{ group: shellGroups, message: CORE_IS_PURE }]
  if (groups.length > 0) patterns.push({ group: groups, message })
  return {
    name: `layers/${layer.name}`,
    files: layer.files,
    rules: {
      'no-restricted-imports': ['error', { paths: layer.io ? ioPaths : [], patterns }],
      // A dynamic import() is I/O-shaped and invisible to no-restricted-imports: the core has none.
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: CORE_IS_PURE }, ...(layer.syntax ?? [])],
    },
  }
}

/** The shells may import the core and each other, but only cli/ (the commands) is on top. */
const shells = {
  name: 'layers/shells',
  files: SHELLS.filter((s) => s !== 'cli').map((s) => `src/${s}/**/*.ts`),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['**/cli/**'], message: 'cli/ holds the commands, the top layer: the server and the other shells never import it' },
        ],
      },
    ],
  },
}

export const layers = [...LAYERS.map(restrictions), shells]
