// examples/README.md's commands run as written after `npm ci`: each is `npx wfe-admission ...` (the
// package's own bin, which npx finds in the checkout), never a bare `wfe-admission` that is not on PATH.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUILT_MAIN, runBuiltCli } from '../helpers/cli.js'
import { ROOT } from '../helpers/tools.js'

const readme = readFileSync(join(ROOT, 'examples/README.md'), 'utf8')
const commands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).trim().split('\n'))

t.test('every command is npx wfe-admission, and the bin npx runs is the built CLI', async (t) => {
  t.ok(commands.length >= 4, `${commands.length} commands`)
  for (const c of commands) t.match(c, /^npx wfe-admission /, c)
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }
  t.equal(join(ROOT, pkg.bin['wfe-admission'] as string), BUILT_MAIN)
})

t.test('each command runs and gives a verdict (0 or 1), never a usage error', async (t) => {
  for (const c of commands) {
    const r = await runBuiltCli(c.replace(/^npx wfe-admission /, '').split(/\s+/), { cwd: ROOT })
    t.ok(r.code === 0 || r.code === 1, `${c}: exit ${r.code} ${r.stderr}`)
  }
})
