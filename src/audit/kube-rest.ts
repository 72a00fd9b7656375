// A minimal JSON REST client for the recorder's own writes (markers, Lease, Events, Namespace
// reads), over the one request function of src/kube/request.ts (its keep-alive agent included): one
// bounded request per call, the answer's status kept for the callers to branch on. Plain JSON in and
// out, so MicroTime and ConfigMap data reach the apiserver exactly as written (the generated client
// re-serialises typed models). The client library is imported by the caller only when an API is
// configured.
import type { KubeConfig } from '@kubernetes/client-node'
import { kubeExchange } from '../kube/request.js'

export interface RestAnswer {
  status: number
  body: Record<string, unknown> | undefined
}

export type Rest = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => Promise<RestAnswer>

/** An error carrying the apiserver's status code and message, so callers can branch on 404/409/403. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

export function failIfNot(answer: RestAnswer, ok: readonly number[], what: string): RestAnswer {
  if (ok.includes(answer.status)) return answer
  const message = typeof answer.body?.['message'] === 'string' ? answer.body['message'] : `HTTP ${answer.status}`
  throw new ApiError(answer.status, `${what}: ${message}`)
}

export function createRest(kc: KubeConfig, timeoutMs: number): Rest {
  if (kc.getCurrentCluster() === null) throw new Error('no current cluster in the configuration')
  return async (method, path, body) => {
    const { status, text } = await kubeExchange(kc, { method, path, body, timeoutMs })
    let parsed: Record<string, unknown> | undefined
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>)
    } catch {
      parsed = { message: text.slice(0, 200) }
    }
    return { status, body: parsed }
  }
}
