import t from 'tap'
import { runCheckCommand, fx } from '../check-run.js'

t.test('text: UPDATE headings name the subresource and the old object; skipped documents are listed', async (t) => {
  const r = await runCheckCommand(['--old', fx('update/stored.yaml'), '--subresource', 'status', fx('update/status-backward.yaml')])
  t.equal(r.code, 1)
  t.equal(
    r.stdout.split('\n')[0],
    'test/fixtures/manifests/update/status-backward.yaml:1: team-a/wfe-update (UPDATE status, old at test/fixtures/manifests/update/stored.yaml:1): DENIED',
  )
  t.match(
    r.stdout,
    /^ {2}test\/fixtures\/manifests\/update\/status-backward\.yaml:22:3: status\.phase: Invalid value: "Pending": phase cannot move from Running to Pending.* \[phase-transition\]$/m,
  )
  const skipped = await runCheckCommand([fx('mixed-kinds.yaml')])
  t.match(skipped.stdout, /^test\/fixtures\/manifests\/mixed-kinds\.yaml:1: skipped v1 ConfigMap$/m)
  t.match(skipped.stdout, /^test\/fixtures\/manifests\/mixed-kinds\.yaml:8: skipped apps\/v1 Deployment$/m)
  t.notMatch(skipped.stdout, /skipped kubernaut\.ai/, 'a kubernaut.ai document is never skipped')
})
