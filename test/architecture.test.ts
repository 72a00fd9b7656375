// The arrows point into the core: the pure core (admission/, rules/, cel/, api/, policy.ts,
// config.ts, errors.ts) imports nothing from the shells, so the server, the CLI and the tests can
// never disagree, and the core stays free of I/O.
import t from 'tap'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const SRC = new URL('../src/', import.meta.url).pathname
const CORE = ['admission', 'rules', 'cel', 'api', 'policy.ts', 'config.ts', 'errors.ts', 'policy-file.ts', 'index.ts']
const SHELLS = ['server', 'cli', 'tls', 'effects', 'demo', 'docs']
/** Node modules that do I/O; the core may not import them. */
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|tls|http|https|http2|child_process|dgram|dns|worker_threads|cluster)$/

function files(path: string): string[] {
  if (statSync(path).isFile()) return [path]
  return readdirSync(path).flatMap((e) => files(join(path, e)))
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => (m[1] ?? m[2]) as string)
}

const coreFiles = CORE.flatMap((c) => files(join(SRC, c))).filter((f) => f.endsWith('.ts'))

t.test('the core imports nothing from the shells', async (t) => {
  t.ok(coreFiles.length > 20, `${coreFiles.length} core files`)
  for (const file of coreFiles) {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue
      const target = relative(SRC, resolve(dirname(file), spec))
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
  t.ok(imports(tmp).includes('node:fs'), 'reads this file\'s own imports')
})
