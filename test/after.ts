// tap's `after` (.taprc): the suite removes every temporary folder it creates. `npm test` points
// TMPDIR at a folder of its own (.cache/test-tmp, emptied first), so anything left there after the
// run was left by a test: it is named and the run fails. A `npx tap FILE` run without that TMPDIR is
// not checked (its temporary folders mix with everything else on the machine). Not a test file.
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ROOT } from './helpers/tools.js'

const own = join(ROOT, '.cache/test-tmp')
if (process.env['TMPDIR'] !== undefined && resolve(process.env['TMPDIR']) === own) {
  // tsx and Node keep compile caches in TMPDIR on purpose; they are not a test's leftovers.
  const left = readdirSync(own).filter((name) => !name.startsWith('tsx-') && !name.startsWith('v8-compile-cache-'))
  if (left.length > 0) {
    process.stderr.write(
      `test teardown: the suite left ${left.length} temporary folder(s) in ${own}: ${left.join(', ')}; the test that makes one removes it (t.testdir() does)\n`,
    )
    process.exit(1)
  }
}
