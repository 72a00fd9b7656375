// `npm ci` on the Node versions package.json promises must not warn EBADENGINE: every locked
// package's engines.node range must include every version ours admits, and the README says the same.
import t from 'tap'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const semver = createRequire(import.meta.url)('semver') as {
  subset(a: string, b: string): boolean
  satisfies(v: string, r: string): boolean
}
const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8')
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } }
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[] }> }

t.test('every locked package accepts every Node version our engines field admits', async (t) => {
  const ours = pkg.engines.node
  const narrower = Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .flatMap(([path, p]) => {
      const node = Array.isArray(p.engines) ? undefined : p.engines?.node
      return node === undefined || semver.subset(ours, node) ? [] : [`${path}: ${node}`]
    })
  t.same(narrower, [], `packages that would warn EBADENGINE on part of "${ours}"`)
})

t.test('the engines field admits Node 20 and 22, the versions the README names', async (t) => {
  t.ok(semver.satisfies('20.19.0', pkg.engines.node))
  t.ok(semver.satisfies('22.12.0', pkg.engines.node))
  t.notOk(semver.satisfies('20.18.0', pkg.engines.node), 'a dependency needs 20.19 (cel-js)')
  t.match(read('README.md'), 'Node 20.19+ or 22.12+')
  t.equal(
    lock.packages['']?.engines !== undefined && !Array.isArray(lock.packages[''].engines) ? lock.packages[''].engines.node : undefined,
    pkg.engines.node,
    'package-lock.json is in step',
  )
})
