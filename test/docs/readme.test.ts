// The README's generated tables match the code, and every flag and rule is documented there.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { renderGenerated } from '../../src/docs/tables.js'
import { CERTS_FLAGS, CORE_FLAGS, SERVE_FLAGS } from '../../src/config.js'
import { builtinRules } from '../../src/rules/index.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

t.test('README tables are what `npm run docs` generates (run it after changing flags or rules)', async (t) => {
  t.equal(renderGenerated(readme), readme)
})

t.test('every flag and every built-in rule appears in the README', async (t) => {
  for (const f of [...CORE_FLAGS, ...SERVE_FLAGS, ...CERTS_FLAGS]) t.match(readme, `\`--${f.name}\``, f.name)
  for (const r of builtinRules) t.match(readme, `\`${r.id}\``, r.id)
})

t.test('the README keeps the order the operators asked for', async (t) => {
  const order = ['## Quick start', '## Install on a cluster', '## Use in CI', '## Configuration reference', '## Operate', '## Troubleshooting', '## Security model', '## Performance']
  const at = order.map((h) => readme.indexOf(h))
  t.notOk(at.includes(-1), 'all sections present')
  t.same([...at].sort((a, b) => a - b), at, 'in order')
})

t.test('the generator refuses a README without markers', async (t) => {
  t.throws(() => renderGenerated('# nothing'), /markers for the flags table are missing/)
})
