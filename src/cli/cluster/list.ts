// Every stored WorkflowExecution (of one namespace, or all), page by page, into a block index: the
// same subscriber code the server's watch feeds, so `blocks` shows what the webhook enforces.
import { createBlockIndex, type BlockIndex } from '../../blocks/block-index.js'
import { GROUP, RESOURCE, VERSION, type WorkflowExecution } from '../../api/workflowexecution.js'
import { WfeError } from '../../errors.js'
import { KubeApiError } from '../../kube/request.js'
import type { Connection } from './connect.js'

const PAGE = 500

/** A refusal as one line: who may not do what, and the apiserver's words. */
export function apiProblem(err: unknown, doing: string): WfeError {
  if (err instanceof WfeError) return err
  if (err instanceof KubeApiError) {
    const hint =
      err.statusCode === 401
        ? ': the kubeconfig credentials were not accepted'
        : err.statusCode === 404 && /could not find the requested resource/.test(err.message)
          ? ': the WorkflowExecution CRD is not installed in this cluster'
          : ''
    return new WfeError('WFE_ERR_CONNECT', `${doing}: ${err.message} (HTTP ${err.statusCode})${hint}`)
  }
  return new WfeError('WFE_ERR_CONNECT', `${doing}: ${err instanceof Error ? err.message : String(err)}`)
}

export async function indexExecutions(conn: Connection, namespace: string | undefined): Promise<BlockIndex> {
  const base =
    namespace === undefined
      ? `/apis/${GROUP}/${VERSION}/${RESOURCE}`
      : `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${RESOURCE}`
  const index = createBlockIndex()
  let token: string | undefined
  let rv = ''
  try {
    do {
      const q = new URLSearchParams({ limit: String(PAGE) })
      if (token !== undefined) q.set('continue', token)
      const page = await conn.request<{ items?: WorkflowExecution[]; metadata?: { continue?: string; resourceVersion?: string } }>({
        path: `${base}?${q.toString()}`,
      })
      for (const item of page.items ?? []) index.upsert(item)
      token = page.metadata?.continue === '' ? undefined : page.metadata?.continue
      rv = page.metadata?.resourceVersion ?? rv
    } while (token !== undefined)
  } catch (err) {
    throw apiProblem(err, `cannot list WorkflowExecutions ${namespace === undefined ? 'in all namespaces' : `in namespace ${namespace}`}`)
  }
  index.synced(rv)
  return index
}
