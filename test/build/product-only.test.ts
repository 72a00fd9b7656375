// Only product code in src/: every file there is reachable from the two entry points (the library,
// src/index.ts, and the command, src/cli/main.ts), so dist/ and the image carry no demo, generator
// or test-only code. Demo, scripts and test helpers live outside src/ and outside the build.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { filesUnder, moduleGraph, reachable } from '../helpers/imports.js'

const ROOT = new URL('../../', import.meta.url).pathname
const SRC = `${ROOT}src/`
// package.json's bins: wfe-admission and the kubectl plugin kubectl-wfe.
const ENTRY_POINTS = [`${SRC}index.ts`, `${SRC}cli/main.ts`, `${SRC}cli/kubectl-plugin.ts`]

t.test('every file in src/ is reachable from src/index.ts, src/cli/main.ts or src/cli/kubectl-plugin.ts', async (t) => {
  const files = filesUnder(SRC).filter((f) => f.endsWith('.ts'))
  t.ok(files.length > 50, `${files.length} files`)
  const seen = reachable(moduleGraph(files, { includeTypeOnly: true }), ENTRY_POINTS)
  t.same(
    files.filter((f) => !seen.has(f)).map((f) => relative(ROOT, f)),
    [],
    'unreachable files in src/',
  )
  t.same(
    files.filter((f) => !f.endsWith('.ts')),
    [],
    'only TypeScript in src/',
  )
})

t.test('the build and the image take src/ only', async (t) => {
  const build = JSON.parse(readFileSync(`${ROOT}tsconfig.build.json`, 'utf8')) as {
    include?: string[]
    compilerOptions?: { rootDir?: string }
  }
  t.same(build.include, ['src'])
  t.equal(build.compilerOptions?.rootDir, 'src')
  const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts
  t.match(
    scripts['build'],
    /^node -e "fs\.rmSync\('dist'.*&& tsc -p tsconfig\.build\.json$/,
    'a build starts from an empty dist/, so no file from an older layout ships',
  )
  const copies = readFileSync(`${ROOT}Dockerfile`, 'utf8')
    .split('\n')
    .filter((l) => /^COPY\s/.test(l) && !l.includes('--from='))
  t.same(
    copies.map((l) => l.trim()),
    ['COPY package.json package-lock.json ./', 'COPY tsconfig.json tsconfig.build.json ./', 'COPY src ./src'],
  )
})

t.test('the reachability walk sees a file nothing imports', async (t) => {
  const graph = new Map([
    ['a', ['b']],
    ['b', []],
    ['orphan', ['b']],
  ])
  t.same([...reachable(graph, ['a'])].sort(), ['a', 'b'])
})
