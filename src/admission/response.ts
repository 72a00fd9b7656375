// Verdict constructors named after controller-runtime's: Allowed, Denied, Errored, Patched, plus
// complete(), the one place that stamps the uid, defaults the code and encodes the patch.
import type { Operation as PatchOperation } from 'rfc6902'
import type { AdmissionResponse } from './types.js'
import { aggregate, causes, type FieldError } from './field.js'
import { sanitizeWarning } from './warning.js'

/** A response before complete(): no uid yet, the patch still as operations. */
export interface Verdict {
  allowed: boolean
  status?: AdmissionResponse['status']
  patch?: PatchOperation[]
  warnings?: string[]
}

export function allowed(message?: string): Verdict {
  const v: Verdict = { allowed: true, status: { code: 200 } }
  if (message !== undefined && v.status) v.status.message = message
  return v
}

/** 403 Forbidden with the aggregate message and one cause per error. */
export function denied(errors: readonly FieldError[]): Verdict {
  return {
    allowed: false,
    status: { code: 403, reason: 'Forbidden', message: aggregate(errors), details: { causes: causes(errors) } },
  }
}

/** A request the core could not judge: 400 for bad input, 500 for our own fault. */
export function errored(code: number, err: unknown): Verdict {
  const message = err instanceof Error ? err.message : String(err)
  return { allowed: false, status: { code, reason: code >= 500 ? 'InternalError' : 'BadRequest', message } }
}

export function patched(ops: PatchOperation[], message?: string): Verdict {
  const v = allowed(message)
  if (ops.length > 0) v.patch = ops
  return v
}

export function withWarnings(v: Verdict, ...warnings: string[]): Verdict {
  if (warnings.length === 0) return v
  return { ...v, warnings: [...(v.warnings ?? []), ...warnings] }
}

export function complete(v: Verdict, uid: string): AdmissionResponse {
  const out: AdmissionResponse = { uid, allowed: v.allowed }
  const status = v.status ? { ...v.status } : {}
  if (status.code === undefined) status.code = 200
  out.status = status
  if (v.patch !== undefined && v.patch.length > 0) {
    out.patchType = 'JSONPatch'
    out.patch = Buffer.from(JSON.stringify(v.patch)).toString('base64')
  }
  if (v.warnings !== undefined && v.warnings.length > 0) out.warnings = v.warnings.map(sanitizeWarning)
  return out
}
