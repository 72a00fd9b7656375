import t from 'tap'
import { admit, type AdmitResult } from '../../src/admission/admit.js'
import { CONTROLLER, aFailedExecution, aRequest, testPolicy } from '../helpers/objects.js'
import { errorString } from '../../src/admission/field.js'

const policy = testPolicy()
// Only this rule's findings: other rules (failure-details-frozen) judge the rest of the write.
const mine = (r: AdmitResult) => r.violations.filter((v) => v.error.origin === 'status-durations-valid')
const ids = (r: AdmitResult): string[] => mine(r).map((v) => `${v.error.origin}:${v.error.field}`)
const message = (r: AdmitResult): string =>
  mine(r)
    .map((v) => `${v.severity}: ${errorString(v.error)}`)
    .join('; ')

function statusWrite(duration: unknown, before: unknown): AdmitResult {
  const object = aFailedExecution((w) => {
    const s = w.status as unknown as Record<string, any>
    s.duration = duration
    s.failureDetails.executionTimeBeforeFailure = before
  })
  // The stored object has neither: an unchanged bad value would be ratcheted (a warning), not denied.
  const oldObject = aFailedExecution((w) => {
    const s = w.status as unknown as Record<string, any>
    delete s.duration
    delete s.failureDetails.executionTimeBeforeFailure
  })
  return admit(aRequest({ operation: 'UPDATE', subResource: 'status', userInfo: CONTROLLER, object, oldObject }), policy, 'validate')
}

t.test('what Go can decode is allowed, in any spelling Go reads', async (t) => {
  for (const d of ['5m30s', '90s', '1.5h', '0s', '-1s', '2562047h47m16.854775807s', '0.5ns', '1µs']) t.same(ids(statusWrite(d, d)), [], d)
})

t.test("what Go cannot decode is refused: one such object would fail a Go client's whole list", async (t) => {
  for (const d of ['1d', '10', '', '5 m', '9223372036854775808ns', '2562048h']) {
    t.same(ids(statusWrite(d, '1m0s')), ['status-durations-valid:status.duration'], `duration ${JSON.stringify(d)}`)
    t.same(
      ids(statusWrite('1m0s', d)),
      ['status-durations-valid:status.failureDetails.executionTimeBeforeFailure'],
      `executionTimeBeforeFailure ${JSON.stringify(d)}`,
    )
  }
  t.equal(
    message(statusWrite('1d', '1m0s')),
    'deny: status.duration: Invalid value: "1d": must be a Go duration with a unit, such as 90s, 30m or 1h30m',
  )
  t.equal(
    message(statusWrite('1m0s', '2562048h')),
    'deny: status.failureDetails.executionTimeBeforeFailure: Invalid value: "2562048h": must be at most 2562047h47m16.854775807s (Go\'s time.Duration, int64 nanoseconds); a Go client cannot decode more',
  )
})
