// A change of an integer beyond 2^53 (int64 in Go) is a spec change in the server, `review` and
// `check` alike, though the two values are the same JavaScript number.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { VALIDATE_PATH } from '../../src/server/admission.js'
import { aRequest, aReview, aWorkflowExecution } from '../helpers/objects.js'
import { fixture } from '../helpers/server-app.js'
import { runCli } from '../helpers/cli.js'

const withId = (placeholder: string) =>
  aWorkflowExecution((w) => {
    w.spec.workflowRef.engineConfig = { jobTemplateId: placeholder, ids: [placeholder] }
  })
/** The review as JSON text, with the placeholders replaced by bare integer literals. */
function reviewText(oldId: string, newId: string): string {
  const text = JSON.stringify(
    aReview(aRequest({ uid: 'u-int', operation: 'UPDATE', object: withId('NEW_ID'), oldObject: withId('OLD_ID') })),
  )
  return text.replaceAll('"OLD_ID"', oldId).replaceAll('"NEW_ID"', newId)
}

const cases: [string, string, boolean][] = [
  ['9007199254740992', '9007199254740993', false],
  ['9223372036854775807', '9223372036854775806', false],
  ['-9223372036854775808', '-9223372036854775807', false],
  ['9007199254740993', '9007199254740993', true],
  ['42', '42', true],
]

t.test('server', async (t) => {
  const { app } = fixture()
  for (const [oldId, newId, allowed] of cases) {
    const res = await app.inject({
      method: 'POST',
      url: VALIDATE_PATH,
      payload: reviewText(oldId, newId),
      headers: { 'content-type': 'application/json' },
    })
    const r = res.json().response
    t.equal(r.allowed, allowed, `${oldId} → ${newId}`)
    if (!allowed)
      t.match(
        r.status.message,
        /^spec: Forbidden: spec is immutable after creation \(ADR-001\); changed: .*spec\.workflowRef\.engineConfig\.jobTemplateId/,
      )
  }
})

t.test('review', async (t) => {
  const dir = t.testdir({})
  for (const [oldId, newId, allowed] of cases) {
    const file = join(dir, 'review.json')
    writeFileSync(file, reviewText(oldId, newId))
    const r = await runCli(['review', file, '--webhook', 'validate'])
    t.equal(JSON.parse(r.stdout).response.allowed, allowed, `${oldId} → ${newId}`)
  }
})

t.test('check (YAML and JSON manifests)', async (t) => {
  const dir = t.testdir({})
  for (const [oldId, newId, allowed] of cases) {
    for (const ext of ['yaml', 'json']) {
      const write = (name: string, id: string): string => {
        const path = join(dir, `${name}.${ext}`)
        const object = withId('ID')
        const text = ext === 'yaml' ? stringify(object) : JSON.stringify(object)
        writeFileSync(path, text.replaceAll(ext === 'yaml' ? 'ID\n' : '"ID"', ext === 'yaml' ? `${id}\n` : id))
        return path
      }
      const r = await runCli(['check', write('new', newId), '--old', write('old', oldId), '-o', 'json'])
      t.equal(JSON.parse(r.stdout).results[0].allowed, allowed, `${ext}: ${oldId} → ${newId}`)
    }
  }
})
