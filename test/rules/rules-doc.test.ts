import t from 'tap'
import { readFileSync } from 'node:fs'
import { builtinRules } from '../../src/rules/index.js'
import { blockClearanceRules } from '../../src/rules/block-clearance.js'
import { clearanceAnnotationRules } from '../../src/rules/clearance-annotations.js'
import { clearanceLiftingRules } from '../../src/rules/clearance-lifting.js'

// docs/rules.md is the rule table users read; a rule added without a row there fails here.
const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8')
const rows = new Map<string, string>()
for (const line of doc.split('\n')) {
  const m = /^\| `([a-z0-9-]+)` \|/.exec(line)
  if (m?.[1] !== undefined) rows.set(m[1], line)
}

// The block-clearance rows belong to the attribution work, which may lay its section's cells out its own way.
const documentedElsewhere = new Set<string>(
  [...blockClearanceRules, ...clearanceAnnotationRules, ...clearanceLiftingRules].map((r) => r.id),
)

// A rule without docs fails here: every built-in rule, block clearance included, has its row.
t.test('every built-in rule has exactly one row', async (t) => {
  const ids = builtinRules.map((r) => r.id)
  t.ok(ids.length >= 30, 'the families are all loaded')
  for (const id of ids) {
    t.ok(rows.has(id), `${id} documented`)
    t.equal(doc.split(`| \`${id}\` |`).length - 1, 1, `${id} has one row`)
  }
  for (const id of rows.keys())
    t.ok(
      builtinRules.some((r) => r.id === id),
      `${id} in the doc is a real rule`,
    )
})

t.test("each row states the rule's severity and has an example", async (t) => {
  for (const rule of builtinRules) {
    const row = rows.get(rule.id)
    if (row === undefined || documentedElsewhere.has(rule.id)) continue
    const cells = row.split(' | ')
    const severity = rule.kind === 'mutate' ? '— (warning)' : rule.severity
    t.equal(cells[cells.length - 2], severity, `${rule.id} severity`)
    t.match(cells[cells.length - 1], /^`[a-zA-Z.[\]_-]+(\[[^\]]*\])?[a-zA-Z.[\]0-9]*: .+` \|$/, `${rule.id} example is a field error`)
  }
})

t.test('the block clearance section is there for the attribution work', async (t) => {
  t.match(doc, /\n## Block clearance\n/)
})
