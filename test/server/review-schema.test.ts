// The webhook answers are serialised from ADMISSION_REVIEW_RESPONSE_SCHEMA (fast-json-stringify drops
// every field the schema does not name): the schema must name every field of AdmissionResponse, and a
// response carrying all of them must come out of the route exactly as JSON.stringify would write it.
import t from 'tap'
import Fastify from 'fastify'
import type { AdmissionResponse, AdmissionReview } from '../../src/admission/types.js'
import { ADMISSION_REVIEW_RESPONSE_SCHEMA } from '../../src/server/review-schema.js'

// A field added to AdmissionResponse without this record fails the type check, and this test then
// fails until the schema names it too.
const FIELDS: Record<keyof AdmissionResponse, true> = {
  uid: true,
  allowed: true,
  status: true,
  patch: true,
  patchType: true,
  auditAnnotations: true,
  warnings: true,
}

t.test('the schema names every field of AdmissionResponse, and nothing else', async (t) => {
  t.same(Object.keys(ADMISSION_REVIEW_RESPONSE_SCHEMA.properties.response.properties).sort(), Object.keys(FIELDS).sort())
})

t.test('a response with every field is written as JSON.stringify would', async (t) => {
  const full: AdmissionReview = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid: 'u-1 "quoted" \u2028',
      allowed: false,
      status: {
        code: 403,
        reason: 'Forbidden',
        message: 'spec.targetResource: Invalid value: "x\\n": must be namespace/Kind/name',
        details: { causes: [{ type: 'FieldValueInvalid', field: 'spec.targetResource', message: 'Invalid value' }] },
      },
      patchType: 'JSONPatch',
      patch: 'W3sib3AiOiJhZGQifV0=',
      auditAnnotations: { 'clearance.kubernaut.ai/cleared-by': 'alice', other: '' },
      warnings: ['one', 'two \u0000'],
    },
  }
  const app = Fastify()
  app.post('/r', { schema: { response: { 200: ADMISSION_REVIEW_RESPONSE_SCHEMA } } }, (_request, reply) => {
    reply.send(full)
  })
  const res = await app.inject({ method: 'POST', url: '/r', payload: {} })
  t.equal(res.statusCode, 200)
  t.same(JSON.parse(res.body), JSON.parse(JSON.stringify(full)))
  t.equal(res.body.length, JSON.stringify(full).length, 'the same bytes, in the schema’s key order')
  await app.close()
})
