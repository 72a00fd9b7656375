import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync } from 'node:fs'
import { ROOT, fx } from './check-run.js'

const run = promisify(execFile)

// One spawned run of the built bin, to prove `wfe-admission check` works outside the test runner.
// `npm test` builds dist/ before tap runs, so no test rebuilds it while others read it.
t.test('the built CLI: node dist/cli/main.js check', async (t) => {
  t.ok(existsSync(`${ROOT}dist/cli/main.js`), 'dist/ is built (npm test runs the build first)')
  const ok = await run(process.execPath, ['dist/cli/main.js', 'check', '-o', 'json', fx('tree')], { cwd: ROOT, timeout: 60_000 })
  t.same(JSON.parse(ok.stdout).summary, { objects: 2, allowed: 2, denied: 0, warnings: 0, skipped: 0 })
  const denied = await run(
    process.execPath,
    ['dist/cli/main.js', 'check', '--policy', 'examples/policy.yaml', '-o', 'sarif', fx('multi-doc.yaml')],
    { cwd: ROOT, timeout: 60_000 },
  ).then(
    () => {
      throw new Error('expected exit 1')
    },
    (err: { code: number; stdout: string }) => err,
  )
  t.equal(denied.code, 1)
  t.equal(JSON.parse(denied.stdout).version, '2.1.0')
  t.match(
    JSON.parse(denied.stdout).runs[0].tool.driver.version,
    /^\d+\.\d+\.\d+/,
    'the version is read from package.json in the built layout too',
  )
})
