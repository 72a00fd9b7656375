// A rule id is the rule's: the RuleId union comes from the rule table (src/rules/index.ts), so a
// mistyped id fails the type check (`npm test` runs tsc over this file first), and the core stamps
// every finding with the id of the rule that ran (test/admission/stamp.test.ts).
import t from 'tap'
import { builtinRules, type RuleId } from '../../src/rules/index.js'

// tsc fails on the line below if it ever accepts a misspelt id (the directive then has nothing to expect).
// @ts-expect-error 'spec-imutable' is not a rule id
const misspelt: RuleId = 'spec-imutable'

// If RuleId widened to string, every typo would pass: this line stops compiling then.
const notJustString: string extends RuleId ? never : true = true

t.test('the RuleId union holds every built-in rule id, and only those', async (t) => {
  const ids: readonly RuleId[] = builtinRules.map((r) => r.id as RuleId)
  t.equal(new Set(ids).size, ids.length, 'ids are unique')
  for (const id of ids) t.match(id, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `${id} is kebab-case`)
  const known: RuleId = 'spec-immutable'
  t.ok(ids.includes(known))
  t.notOk((ids as readonly string[]).includes(misspelt))
  t.equal(notJustString, true)
})
