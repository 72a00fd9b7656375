// The JSON schema of the AdmissionReview the webhooks answer with (admission.k8s.io/v1 and v1beta1,
// AdmissionResponse as src/admission/types.ts has it). fastify compiles it with fast-json-stringify
// into the route's serializer for status 200: about 0.25 CPU µs less per review than JSON.stringify
// (docs/performance.md, issue 23). A field missing here would be dropped from every answer, so
// test/server/review-schema.test.ts holds every field of AdmissionResponse against JSON.stringify.
const string = { type: 'string' } as const

const status = {
  type: 'object',
  properties: {
    code: { type: 'integer' },
    reason: string,
    message: string,
    details: {
      type: 'object',
      properties: {
        causes: {
          type: 'array',
          items: { type: 'object', properties: { type: string, field: string, message: string } },
        },
      },
    },
  },
} as const

export const ADMISSION_REVIEW_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'response'],
  properties: {
    apiVersion: string,
    kind: string,
    response: {
      type: 'object',
      required: ['uid', 'allowed'],
      properties: {
        uid: string,
        allowed: { type: 'boolean' },
        status,
        patchType: string,
        patch: string,
        auditAnnotations: { type: 'object', additionalProperties: string },
        warnings: { type: 'array', items: string },
      },
    },
  },
} as const
