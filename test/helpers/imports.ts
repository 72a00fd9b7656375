// The module graph of a TypeScript tree, read from the sources: what each file imports (static,
// re-export and dynamic imports), resolved to files. Used by the build tests (cycles, names, product-only).
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

export function filesUnder(path: string): string[] {
  if (statSync(path).isFile()) return [path]
  return readdirSync(path).flatMap((e) => filesUnder(join(path, e)))
}

export interface ImportSpec {
  specifier: string
  /** `import type …` / `export type …`: erased from the JavaScript. */
  typeOnly: boolean
}

export function importsOf(file: string): ImportSpec[] {
  const text = readFileSync(file, 'utf8')
  const re =
    /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm
  return [...text.matchAll(re)].map((m) => ({ specifier: (m[3] ?? m[4] ?? m[5]) as string, typeOnly: m[2] !== undefined }))
}

/** A relative specifier as the file it names (`./x.js` → `/abs/x.ts`); undefined for packages. */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  return resolve(dirname(from), specifier).replace(/\.js$/, '.ts')
}

/** file → the files it imports (relative imports only). */
export function moduleGraph(files: readonly string[], opts: { includeTypeOnly: boolean }): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const targets = importsOf(file)
      .filter((i) => opts.includeTypeOnly || !i.typeOnly)
      .map((i) => resolveImport(file, i.specifier))
      .filter((t): t is string => t !== undefined)
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** Every file reachable from `roots` in `graph`. */
export function reachable(graph: ReadonlyMap<string, readonly string[]>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>()
  const stack = [...roots]
  while (stack.length > 0) {
    const f = stack.pop() as string
    if (seen.has(f)) continue
    seen.add(f)
    stack.push(...(graph.get(f) ?? []))
  }
  return seen
}

/** The import cycles of `graph`, each as the files along it (first file repeated at the end). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (f: string): void => {
    state.set(f, 'open')
    path.push(f)
    for (const next of graph.get(f) ?? []) {
      const s = state.get(next)
      if (s === 'open') found.push([...path.slice(path.indexOf(next)), next])
      else if (s === undefined) visit(next)
    }
    path.pop()
    state.set(f, 'done')
  }
  for (const f of graph.keys()) if (!state.has(f)) visit(f)
  return found
}
