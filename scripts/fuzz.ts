// `npm run fuzz`: the core's properties (test/properties/properties.ts) at length. Prints how many
// cases ran and failed per property; exits 1 on any failure. FUZZ_RUNS scales the total.
import fc from 'fast-check'
import { arbitraryBody, arbitraryCase, checkBody, checkCase, mutatedCase } from '../test/properties/properties.js'

const total = Number(process.env['FUZZ_RUNS'] ?? 100_000)
const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31)
const plan = [
  {
    name: 'edited valid WorkflowExecutions',
    runs: Math.ceil(total * 0.5),
    property: fc.property(mutatedCase, (c) => {
      checkCase(c)
    }),
  },
  {
    name: 'arbitrary JSON objects',
    runs: Math.ceil(total * 0.3),
    property: fc.property(arbitraryCase, (c) => {
      checkCase(c)
    }),
  },
  {
    name: 'arbitrary review bodies',
    runs: Math.ceil(total * 0.2),
    property: fc.property(arbitraryBody, (b) => {
      checkBody(b)
    }),
  },
]

let ran = 0
let failed = 0
console.log(`fuzz: seed ${seed}, ${plan.reduce((n, p) => n + p.runs, 0)} cases`)
for (const p of plan) {
  const started = performance.now()
  const details = fc.check(p.property as fc.IProperty<unknown>, { numRuns: p.runs, seed })
  ran += details.numRuns
  const ms = performance.now() - started
  if (details.failed) {
    failed += 1
    console.log(
      `FAIL ${p.name}: after ${details.numRuns} cases: ${String(details.errorInstance)}\n  counterexample: ${JSON.stringify(details.counterexample).slice(0, 2000)}`,
    )
  } else {
    console.log(`ok   ${p.name}: ${details.numRuns} cases in ${(ms / 1000).toFixed(1)} s`)
  }
}
console.log(`fuzz: ${ran} cases ran, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
