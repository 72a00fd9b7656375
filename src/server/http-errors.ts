// The HTTP-level errors: what a caller gets when it did not send an AdmissionReview we can judge.
// A verdict is always HTTP 200 with the code inside the review; these are the only non-200 answers.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { MAX_REVIEW_BYTES } from '../admission/review.js'
import { parseJson } from '../api/lossless-json.js'

export type HttpErrorName =
  | 'InvalidJSON'
  | 'NotAnAdmissionReview'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'MethodNotAllowed'
  | 'NotFound'
  | 'BadRequest'
  | 'InternalError'

export interface HttpErrorBody {
  error: HttpErrorName
  message: string
  /** The request uid, whenever it could be read. */
  uid?: string
}

export function httpErrorBody(error: HttpErrorName, message: string, uid?: string): HttpErrorBody {
  return uid === undefined ? { error, message } : { error, message, uid }
}

/** Thrown by our JSON parser; carries its status so the error handler need not guess. */
export class InvalidJsonError extends Error {
  readonly statusCode = 400
  readonly code = 'WFE_ERR_INVALID_JSON'
}

export function parseJsonBody(text: string): unknown {
  try {
    // Integers beyond 2^53 keep their exact value for comparisons (int64 in Go); otherwise JSON.parse.
    return parseJson(text)
  } catch (err) {
    // V8 parses deep nesting iteratively today, but an older or different engine throws RangeError.
    if (err instanceof RangeError) throw new InvalidJsonError('request body is not usable JSON: nested too deeply')
    throw new InvalidJsonError(`request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function clip(s: string, n = 100): string {
  return s.length > n ? `${s.slice(0, n)}…` : s
}

/** Maps fastify's and our own errors to a JSON error body; anything unexpected is a logged 500. */
export function replyWithError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const ct = request.headers['content-type']
      reply
        .code(415)
        .send(
          httpErrorBody(
            'UnsupportedMediaType',
            `Content-Type must be application/json, got ${ct === undefined ? 'none' : JSON.stringify(clip(ct))}`,
          ),
        )
      return
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // The rest of the body is not read into memory; closing the connection stops it arriving at all.
      reply
        .code(413)
        .header('connection', 'close')
        .send(
          httpErrorBody(
            'PayloadTooLarge',
            `request body is larger than ${MAX_REVIEW_BYTES} bytes (${MAX_REVIEW_BYTES / 1048576} MiB), more than the largest AdmissionReview the apiserver sends`,
          ),
        )
      return
    case 'WFE_ERR_INVALID_JSON':
      reply.code(400).send(httpErrorBody('InvalidJSON', error.message))
      return
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
  if (status < 500) {
    reply.code(status).send(httpErrorBody('BadRequest', error.message))
    return
  }
  request.log.error({ err: error, url: clip(request.url) }, 'internal error while serving a request')
  reply.code(500).send(httpErrorBody('InternalError', 'internal error; see the server log'))
}
