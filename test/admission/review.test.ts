import t from 'tap'
import { decodeReview, encodeReview } from '../../src/admission/review.js'
import { aRequest, aReview, aWorkflowExecution } from '../helpers/objects.js'

t.test('a v1 and a v1beta1 review decode and keep their version', async (t) => {
  for (const v of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
    const d = decodeReview(aReview(aRequest({ object: aWorkflowExecution() }), v))
    t.equal(d.ok, true)
    if (d.ok) t.equal(d.apiVersion, v)
  }
})

t.test('what is not an AdmissionReview is refused with a reason, the uid kept when readable', async (t) => {
  const cases: [string, unknown, RegExp, string?][] = [
    ['array', [], /body must be a JSON object/],
    ['string', 'x', /body must be a JSON object/],
    ['null', null, /body must be a JSON object/],
    [
      'wrong kind',
      { apiVersion: 'admission.k8s.io/v1', kind: 'Pod', request: { uid: 'u' } },
      /kind must be "AdmissionReview", got "Pod"/,
      'u',
    ],
    ['wrong apiVersion', { apiVersion: 'v1', kind: 'AdmissionReview', request: { uid: 'u' } }, /apiVersion must be/, 'u'],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request is missing/],
    ['no uid', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }, /request\.uid is missing/],
    [
      'bad operation',
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'PATCH' } },
      /request\.operation must be one of/,
      'u',
    ],
  ]
  for (const [name, body, re, uid] of cases) {
    const d = decodeReview(body)
    t.equal(d.ok, false, name)
    if (!d.ok) {
      t.match(d.message, re, name)
      t.equal(d.uid, uid, `${name} uid`)
    }
  }
})

t.test('encodeReview wraps a response in the version received', async (t) => {
  t.same(encodeReview('admission.k8s.io/v1beta1', { uid: 'u', allowed: true }), {
    apiVersion: 'admission.k8s.io/v1beta1',
    kind: 'AdmissionReview',
    response: { uid: 'u', allowed: true },
  })
})
