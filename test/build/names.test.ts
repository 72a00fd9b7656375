// No two exported functions share a name, across the product, the tests, the demo and the scripts:
// a name found in one place means one thing (a reader never has to ask which `errorBody`).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { filesUnder } from '../helpers/imports.js'

const ROOT = new URL('../../', import.meta.url).pathname
const TREES = ['src', 'test', 'demo', 'scripts', 'bench']

/** `export function f`, `export async function f`, `export function* f`, `export const f = (…) =>`. */
export function exportedFunctionNames(text: string): string[] {
  const re =
    /^export\s+(?:async\s+)?function\*?\s*([A-Za-z_$][\w$]*)|^export\s+const\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=>/gm
  return [...text.matchAll(re)].map((m) => (m[1] ?? m[2]) as string)
}

t.test('no two exported functions share a name', async (t) => {
  const owners = new Map<string, string[]>()
  for (const tree of TREES) {
    for (const file of filesUnder(`${ROOT}${tree}`).filter((f) => f.endsWith('.ts'))) {
      for (const name of exportedFunctionNames(readFileSync(file, 'utf8')))
        owners.set(name, [...(owners.get(name) ?? []), relative(ROOT, file)])
    }
  }
  t.ok(owners.size > 150, `${owners.size} exported functions`)
  const shared = [...owners].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(', ')}`)
  t.same(shared, [], 'exported functions sharing a name')
})

t.test('the scanner sees each form of exported function', async (t) => {
  const text =
    'export function a() {}\nexport async function b() {}\nexport function* c() {}\nexport const d = (x: number) => x\nexport const e = async () => 1\nexport const NOT = 3\nfunction hidden() {}\n'
  t.same(exportedFunctionNames(text), ['a', 'b', 'c', 'd', 'e'])
})
