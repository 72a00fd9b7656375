// The README's generated tables match the code, and every flag and rule is documented there.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { COMMAND_FLAGS, renderGenerated } from '../../scripts/readme-tables.js'
import { CERTS_FLAGS, CORE_FLAGS, SERVE_FLAGS } from '../../src/cli/flags.js'
import { builtinRules } from '../../src/rules/index.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

t.test('README tables are what `npm run docs` generates (run it after changing flags or rules)', async (t) => {
  t.equal(renderGenerated(readme), readme)
})

t.test('every flag and every built-in rule appears in the README', async (t) => {
  for (const f of [...CORE_FLAGS, ...SERVE_FLAGS, ...CERTS_FLAGS]) t.match(readme, `\`--${f.name}\``, f.name)
  for (const r of builtinRules) t.match(readme, `\`${r.id}\``, r.id)
})

t.test('the flag table has a row for every flag of every command, with an environment variable only where one exists', async (t) => {
  const table = readme.slice(readme.indexOf('<!-- flags:begin'), readme.indexOf('<!-- flags:end -->'))
  const rows = table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split(' | '))
  for (const [command, flags] of Object.entries(COMMAND_FLAGS)) {
    for (const f of flags) {
      const row = rows.find(
        (r) =>
          (r[0] ?? '').includes(`\`--${f.name}\``) &&
          (r[1] ?? '').split(', ').includes(command) &&
          r[4]?.startsWith(f.description.slice(0, 20)),
      )
      t.ok(row, `${command} --${f.name}`)
      t.equal(row?.[3], f.env === undefined ? '' : `\`${f.env}\``, `${command} --${f.name}: environment`)
    }
  }
  t.ok(
    rows.some((r) => r[0] === '| `--namespace`' && r[1] === 'certs'),
    'certs --namespace has its own row',
  )
  t.notMatch(readme, /Every flag can also be set by its environment variable/)
})

t.test('the README keeps the order the operators asked for', async (t) => {
  const order = [
    '## Quick start',
    '## Install on a cluster',
    '## Use in CI',
    '## Configuration reference',
    '## Operate',
    '## Troubleshooting',
    '## Security model',
    '## Performance',
  ]
  const at = order.map((h) => readme.indexOf(h))
  t.notOk(at.includes(-1), 'all sections present')
  t.same(
    [...at].sort((a, b) => a - b),
    at,
    'in order',
  )
})

t.test('the generator refuses a README without markers', async (t) => {
  t.throws(() => renderGenerated('# nothing'), /markers for the flags table are missing/)
})
