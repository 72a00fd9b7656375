// `wfe-admission clear NAME -n NS --reason "…"` (or `kubectl wfe clear`): writes the block clearance
// into the execution's status with the caller's own credentials (--as/--as-group as kubectl), after
// checking the reason with the core's own rules, then prints the attribution the webhook stamped and
// the target's state. Exit 0 cleared (or already cleared), 1 refused by the cluster, 2 bad input or
// an unreachable cluster; nothing is written unless the local check passes.
import { admit } from '../../admission/admit.js'
import type { AdmissionRequest } from '../../admission/types.js'
import { authenticatedUser, storedForm } from '../../admission/apiserver.js'
import { GROUP, RESOURCE, VERSION, type WorkflowExecution } from '../../api/workflowexecution.js'
import { isRecord } from '../../api/json.js'
import { blockInForce, isCleared } from '../../rules/clearance-lifting.js'
import { WfeError } from '../../errors.js'
import { KubeApiError } from '../../kube/request.js'
import { CLEAR_FLAGS } from '../cluster-flags.js'
import { parseFlags, usage } from '../args.js'
import { minClearReasonWords } from '../policy-flags.js'
import { compilePolicy } from '../../policy.js'
import { DEFAULT_ADMISSION_OPTIONS } from '../../config.js'
import { EXIT_DENIED, EXIT_OK, EXIT_USAGE, type CliIO, type Command } from '../io.js'
import { connect, type Connection } from '../cluster/connect.js'
import { apiProblem, indexExecutions } from '../cluster/list.js'

const SUMMARY = [
  'Clears the block a failed WorkflowExecution holds on its target: writes status.blockClearance.clearReason',
  'with your credentials; the webhook stamps who, when and how. The reason is checked before anything is sent.',
  'Exit 0 cleared, 1 refused by the cluster (RBAC or admission), 2 bad input or an unreachable cluster.',
].join('\n')

const PRECHECK_USER = 'wfe-admission-clear:precheck'

export const clear: Command = async (argv, io) => {
  const { values, positionals } = parseFlags(argv, CLEAR_FLAGS, io.env, 'clear')
  if (values['help'] === true) {
    io.stdout.write(usage('clear NAME -n NAMESPACE --reason "what you investigated and found" [flags]', SUMMARY, CLEAR_FLAGS))
    return EXIT_OK
  }
  if (positionals.length !== 1) {
    io.stderr.write(`wfe-admission clear: give exactly one WorkflowExecution NAME (got ${positionals.length}); see --help\n`)
    return EXIT_USAGE
  }
  const name = positionals[0] as string
  const reason = values['reason']
  if (reason === undefined || reason.trim() === '')
    throw new WfeError(
      'WFE_ERR_USAGE',
      '--reason is required: say what you investigated and found, e.g. --reason "node pool replaced; the restart succeeds on the new nodes"',
    )
  // The reason rules as the server runs them; clear takes no other core flag.
  const policy = compilePolicy({ ...DEFAULT_ADMISSION_OPTIONS, minClearReasonWords: minClearReasonWords(values['min-clear-reason-words']) })
  const conn = await connect(values, io)
  const stored = await read(conn, name)
  const id = `${conn.namespace}/${name}`
  if (isCleared(stored)) {
    io.stdout.write(`workflowexecution ${id} is already cleared: nothing written\n${attribution(stored)}`)
    return EXIT_OK
  }
  if (!blockInForce(stored)) {
    const phase = isRecord(stored.status) ? String(stored.status['phase'] ?? '<none>') : '<none>'
    throw new WfeError(
      'WFE_ERR_INPUT',
      `workflowexecution ${id} blocks nothing: status.phase is ${phase}${phase === 'Failed' ? ' but failureDetails.wasExecutionFailure is not true (a pre-execution failure backs off, it does not block)' : ''}; nothing written`,
    )
  }
  // The core's own verdict on this very write, so a reason the webhook would refuse is never sent.
  const proposed = structuredClone(stored)
  proposed.status = { ...proposed.status, blockClearance: { clearReason: reason } as never }
  const verdict = admit(precheckRequest(stored, proposed), policy, 'both')
  if (!verdict.response.allowed)
    throw new WfeError('WFE_ERR_INPUT', `--reason: ${verdict.response.status?.message ?? 'refused'}; nothing written`)

  let written: WorkflowExecution
  try {
    written = await conn.request<WorkflowExecution>({
      method: 'PATCH',
      path: `${pathOf(conn.namespace, name)}/status`,
      contentType: 'application/merge-patch+json',
      body: { status: { blockClearance: { clearReason: reason } } },
    })
  } catch (err) {
    if (err instanceof KubeApiError) {
      io.stderr.write(`wfe-admission clear: refused: ${err.message}\n`)
      return EXIT_DENIED
    }
    throw err
  }
  io.stdout.write(`workflowexecution ${id} cleared\n${attribution(written)}`)
  await targetState(conn, written, io)
  return EXIT_OK
}

function pathOf(namespace: string, name: string): string {
  return `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${RESOURCE}/${encodeURIComponent(name)}`
}

async function read(conn: Connection, name: string): Promise<WorkflowExecution> {
  try {
    return await conn.request<WorkflowExecution>({ path: pathOf(conn.namespace, name) })
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 404 && err.reason === 'NotFound')
      throw new WfeError(
        'WFE_ERR_NOT_FOUND',
        `workflowexecution ${name} not found in namespace ${conn.namespace}: check the name and -n (wfe-admission blocks -A lists the blocked ones)`,
      )
    throw apiProblem(err, `cannot read workflowexecution ${conn.namespace}/${name}`)
  }
}

function precheckRequest(stored: WorkflowExecution, proposed: WorkflowExecution): AdmissionRequest {
  const gvk = { group: GROUP, version: VERSION, kind: 'WorkflowExecution' }
  const gvr = { group: GROUP, version: VERSION, resource: RESOURCE }
  return {
    uid: 'wfe-admission-clear-precheck',
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    subResource: 'status',
    requestSubResource: 'status',
    name: stored.metadata.name ?? '',
    namespace: stored.metadata.namespace ?? '',
    operation: 'UPDATE',
    userInfo: authenticatedUser(PRECHECK_USER, []),
    // What the apiserver sends the webhooks for a /status write: the stored object with the new status.
    object: storedForm('UPDATE', 'status', proposed, stored),
    oldObject: stored,
    dryRun: true,
  }
}

function attribution(w: WorkflowExecution): string {
  const bc: unknown = isRecord(w.status) ? w.status['blockClearance'] : undefined
  if (!isRecord(bc)) return '  (no status.blockClearance stored: cleared through the annotation flow)\n'
  const f = (k: string): string => (typeof bc[k] === 'string' ? bc[k] : '<none>')
  return `  clearedBy:   ${f('clearedBy')}\n  clearedAt:   ${f('clearedAt')}\n  clearMethod: ${f('clearMethod')}\n  clearReason: ${f('clearReason')}\n`
}

/** What the webhook will now say about the target: unblocked, or still blocked by another execution. */
async function targetState(conn: Connection, written: WorkflowExecution, io: CliIO): Promise<void> {
  const target = written.spec.targetResource
  let index
  try {
    index = await indexExecutions(conn, undefined)
  } catch (err) {
    io.stdout.write(`target ${target}: state unknown (${err instanceof Error ? err.message : String(err)})\n`)
    return
  }
  const state = index.lookup(target)
  const others = state?.blocking ?? []
  io.stdout.write(
    others.length === 0
      ? `target ${target}: not blocked; new WorkflowExecutions for it are admitted (every webhook replica sees the clearance well within a second: docs/blocks.md)\n`
      : `target ${target}: still blocked by ${others.map((b) => `${b.namespace}/${b.name}`).join(', ')} (clear ${others.length === 1 ? 'it' : 'them'} too)\n`,
  )
}
