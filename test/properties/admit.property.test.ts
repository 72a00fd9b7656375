// Bounded property run inside `npm test`; `npm run fuzz` runs the same properties at length.
import t from 'tap'
import fc from 'fast-check'
import { arbitraryBody, arbitraryCase, checkBody, checkCase, mutatedCase } from './properties.js'

const RUNS = 400

t.test('valid objects with random edits: accepted responses, applicable idempotent patches, key order irrelevant', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(mutatedCase, (c) => {
        checkCase(c)
      }),
      { numRuns: RUNS, seed: 42 },
    ),
  )
})

t.test('arbitrary JSON in the objects never breaks the core', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        checkCase(c)
      }),
      { numRuns: RUNS, seed: 7 },
    ),
  )
})

t.test('arbitrary bodies through the envelope decoder', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(arbitraryBody, (b) => {
        checkBody(b)
      }),
      { numRuns: RUNS, seed: 3 },
    ),
  )
})

t.test('the property checker itself catches a broken response', async (t) => {
  const { apiserverRefuses } = await import('./properties.js')
  const req = { uid: 'u' } as Parameters<typeof apiserverRefuses>[1]
  t.equal(apiserverRefuses({ uid: 'x', allowed: true }, req, 'both'), 'uid not echoed')
  t.equal(apiserverRefuses({ uid: 'u', allowed: true, patch: 'e30=' }, req, 'mutate'), 'patch and patchType not together')
  t.equal(
    apiserverRefuses({ uid: 'u', allowed: true, patch: 'e30=', patchType: 'JSONPatch' }, req, 'validate'),
    'validating response carries a patch',
  )
  t.equal(apiserverRefuses({ uid: 'u', allowed: true }, req, 'both'), undefined)
})
