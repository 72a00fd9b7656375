// The image installs production dependencies only (`npm ci --omit=dev`): everything src/ imports at
// run time must be a dependency, or the container fails at start with ERR_MODULE_NOT_FOUND.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { builtinModules } from 'node:module'

const ROOT = new URL('../../', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Bare specifiers of value imports (type-only imports vanish at build time). */
function runtimeImports(text: string): string[] {
  const found: string[] = []
  for (const m of text.matchAll(/^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) found.push(m[1] as string)
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1] as string)
  return found.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
}

function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string)
}

t.test('every package src/ imports at run time is a production dependency', async (t) => {
  const used = new Map<string, string>()
  for (const file of sources(join(ROOT, 'src')))
    for (const s of runtimeImports(readFileSync(file, 'utf8'))) used.set(packageName(s), file.slice(ROOT.length))
  t.ok(used.size >= 5, `${used.size} packages imported`)
  for (const [name, file] of used) t.ok(name in pkg.dependencies, `${name} (imported by ${file}) is in dependencies`)
})

t.test('the scanner sees value imports and dynamic imports, and skips types, relatives and builtins', async (t) => {
  const text = [
    "import t from 'tap'",
    "import { x } from '@scope/pkg/sub'",
    "import type { Y } from 'types-only'",
    "import './side-effect.js'",
    "import { readFileSync } from 'node:fs'",
    "import 'reflect-metadata'",
    "const k = await import('@kubernetes/client-node')",
  ].join('\n')
  t.same(runtimeImports(text).map(packageName), ['tap', '@scope/pkg', 'reflect-metadata', '@kubernetes/client-node'])
  t.notOk('tap' in pkg.dependencies, 'a dev-only package such as tap would be reported')
})
