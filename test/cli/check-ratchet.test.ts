// `check --old` follows the webhook's ratcheting (src/admission/ratchet.ts): it calls the same core.
import t from 'tap'
import { runCheckCommand, fx } from './check-run.js'

const json = async (argv: string[]) => {
  const r = await runCheckCommand([...argv, '-o', 'json'])
  return { ...r, report: JSON.parse(r.stdout) }
}
const verdicts = (report: any) => report.results.map((r: any) => [r.allowed, r.findings.map((f: any) => `${f.severity}:${f.ruleId}`)])

t.test('an object stored with content errors: finalizer removal and status writes pass; a new bad value is denied', async (t) => {
  const main = await json(['--old', fx('ratchet/stored.yaml'), fx('ratchet/finalizer-removed.yaml')])
  t.equal(main.code, 0)
  t.same(verdicts(main.report), [[true, []]])
  const status = await json([
    '--old',
    fx('ratchet/stored.yaml'),
    '--subresource',
    'status',
    fx('ratchet/status-completed.yaml'),
    fx('ratchet/status-worse.yaml'),
  ])
  t.equal(status.code, 1)
  t.same(verdicts(status.report), [
    [true, ['warn:schema-status']],
    [false, ['deny:schema-status']],
  ])
  t.match(
    status.report.results[0].findings[0].message,
    /^status\.startTime: Invalid value: "yesterday": .*\(already stored and unchanged by this update, so not denied \(validation ratcheting\); rule schema-status\)$/,
  )
  t.equal(status.report.results[0].findings.length, 1, "the warning is reported once, as the rule's finding")
})

t.test('the same object as a CREATE is denied for every content error', async (t) => {
  const r = await json([fx('ratchet/stored.yaml')])
  t.equal(r.code, 1)
  t.same(
    verdicts(r.report)[0][1]
      .filter((f: string) => f.startsWith('deny:'))
      .sort(),
    ['deny:parameter-name-valid', 'deny:target-resource-format'],
  )
})
