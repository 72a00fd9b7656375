// `check --cluster-state FILE`: the stored WorkflowExecutions as `kubectl get workflowexecutions -A
// -o yaml` (or json) writes them, fed through the same block-index subscriber the server's watch
// feeds, so check judges target blocks exactly as a synced replica would.
import { resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { parseAllDocuments } from 'yaml'
import { createBlockIndex, type BlockIndex } from '../../blocks/block-index.js'
import { API_VERSION, KIND, type WorkflowExecution } from '../../api/workflowexecution.js'
import { isRecord } from '../../api/json.js'
import { WfeError } from '../../errors.js'
import { readText } from '../read-input.js'

export const NO_CLUSTER_STATE_NOTE =
  'wfe-admission check: note: target blocks were not evaluated (no --cluster-state): pass --cluster-state FILE from `kubectl get workflowexecutions.kubernaut.ai -A -o yaml` to judge CREATEs against the blocks in force, or --target-blocks=off to silence this\n'

const HOW = 'give the output of `kubectl get workflowexecutions.kubernaut.ai -A -o yaml` (or -o json)'

/** The index built from the file, synced; an error (exit 2) names the file and what is wrong with it. */
export async function loadClusterState(path: string, cwd: string, stdin: Readable): Promise<{ index: BlockIndex; executions: number }> {
  const shown = `--cluster-state ${path}`
  const text = await readText(path === '-' ? '-' : resolve(cwd, path), stdin, undefined, '--cluster-state')
  const docs = parseAllDocuments(text)
  if (!Array.isArray(docs)) throw new WfeError('WFE_ERR_INPUT', `${shown}: is empty: ${HOW}`)
  const real = docs.filter((d) => d.contents !== null)
  const broken = real.find((d) => d.errors.length > 0)
  if (broken !== undefined)
    throw new WfeError('WFE_ERR_INPUT', `${shown}: not YAML or JSON: ${broken.errors[0]?.message.split('\n')[0] ?? ''}; ${HOW}`)
  if (real.length !== 1) throw new WfeError('WFE_ERR_INPUT', `${shown}: holds ${real.length} documents, not one List: ${HOW}`)
  const list: unknown = real[0]?.toJS()
  const kind = isRecord(list) ? list['kind'] : undefined
  if (!isRecord(list) || typeof kind !== 'string' || !kind.endsWith('List') || !Array.isArray(list['items'])) {
    const what = isRecord(list) && typeof kind === 'string' ? `a ${kind}` : 'not a Kubernetes object'
    throw new WfeError('WFE_ERR_INPUT', `${shown}: is ${what}, not a List with items: ${HOW}`)
  }
  const index = createBlockIndex()
  let executions = 0
  for (const [i, item] of (list['items'] as unknown[]).entries()) {
    if (!isRecord(item) || item['apiVersion'] !== API_VERSION || item['kind'] !== KIND) {
      const k = isRecord(item) ? `${String(item['apiVersion'])} ${String(item['kind'])}` : typeof item
      throw new WfeError('WFE_ERR_INPUT', `${shown}: items[${i}] is ${k}, not a ${API_VERSION} ${KIND}: ${HOW}`)
    }
    index.upsert(item as unknown as WorkflowExecution)
    executions++
  }
  index.synced(isRecord(list['metadata']) ? String(list['metadata']['resourceVersion'] ?? '') : '')
  return { index, executions }
}
