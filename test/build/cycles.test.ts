// No import cycles, type-only imports included: a cycle makes load order matter and hides which
// module owns what (the app ↔ health cycle was one).
import t from 'tap'
import { relative } from 'node:path'
import { cycles, filesUnder, moduleGraph } from '../helpers/imports.js'

const ROOT = new URL('../../', import.meta.url).pathname

t.test('no import cycles in src/, test/, demo/, scripts/ or bench/', async (t) => {
  const files = ['src', 'test', 'demo', 'scripts', 'bench'].flatMap((d) => filesUnder(`${ROOT}${d}`)).filter((f) => f.endsWith('.ts'))
  t.same(
    cycles(moduleGraph(files, { includeTypeOnly: true })).map((c) => c.map((f) => relative(ROOT, f)).join(' → ')),
    [],
  )
})

t.test('the cycle finder finds a cycle, a self-import and none in a tree', async (t) => {
  t.same(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
      ]),
    ),
    [['a', 'b', 'c', 'a']],
  )
  t.same(cycles(new Map([['a', ['a']]])), [['a', 'a']])
  t.same(
    cycles(
      new Map([
        ['a', ['b', 'c']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    [],
  )
})
