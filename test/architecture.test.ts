// The arrows point into the core: the pure core (admission/, rules/, cel/, api/, policy.ts,
// config.ts, errors.ts) imports nothing from the shells, so the server, the CLI and the tests can
// never disagree, and the core stays free of I/O.
import t from 'tap'
import { join, relative } from 'node:path'
import { filesUnder, importsOf, resolveImport } from './helpers/imports.js'

const SRC = new URL('../src/', import.meta.url).pathname
const CORE = ['admission', 'rules', 'cel', 'api', 'policy.ts', 'config.ts', 'errors.ts', 'policy-file.ts', 'index.ts']
const SHELLS = ['server', 'cli', 'tls', 'effects', 'watch', 'blocks', 'kube']
/** Node modules that do I/O; the core may not import them. */
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|tls|http|https|http2|child_process|dgram|dns|worker_threads|cluster)$/

const files = filesUnder
const imports = (file: string): string[] => importsOf(file).map((i) => i.specifier)

const coreFiles = CORE.flatMap((c) => files(join(SRC, c))).filter((f) => f.endsWith('.ts'))

t.test('the core imports nothing from the shells', async (t) => {
  t.ok(coreFiles.length > 20, `${coreFiles.length} core files`)
  for (const file of coreFiles) {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue
      const target = relative(SRC, resolveImport(file, spec) as string)
      const top = target.split('/')[0] as string
      t.notOk(SHELLS.includes(top), `${relative(SRC, file)} → ${target}`)
    }
  }
})

t.test('the core does no I/O, except reading a policy file at start-up', async (t) => {
  for (const file of coreFiles) {
    if (file.endsWith('policy-file.ts')) continue
    for (const spec of imports(file)) t.notOk(IO_MODULES.test(spec), `${relative(SRC, file)} imports ${spec}`)
  }
})

t.test('the import scanner reads static, re-export and dynamic imports', async (t) => {
  const tmp = join(SRC, '..', 'test', 'architecture.test.ts')
  t.ok(imports(tmp).includes('node:path'), "reads this file's own imports")
})
