// `wfe-admission blocks` (or `kubectl wfe blocks`): the targets blocked by an execution failure, as
// the webhook's block index sees them, read with the caller's own kubeconfig.
import { BLOCKS_FLAGS } from '../cluster-flags.js'
import { parseFlags, usage } from '../args.js'
import { EXIT_OK, EXIT_USAGE, type Command } from '../io.js'
import { WfeError } from '../../errors.js'
import { connect } from '../cluster/connect.js'
import { indexExecutions } from '../cluster/list.js'
import { blockItems, blocksDocument, blocksTable } from '../cluster/blocks-table.js'
import { writeAll } from '../write.js'

const SUMMARY = [
  'Lists the remediation targets blocked by a WorkflowExecution that failed during execution and is not',
  'cleared: every CREATE for them is refused until someone clears it (wfe-admission clear). --all adds the',
  'cleared ones with who cleared them, when and why. Exit 0, or 2 when the cluster cannot be read.',
].join('\n')

export const blocks: Command = async (argv, io) => {
  const { values, positionals } = parseFlags(argv, BLOCKS_FLAGS, io.env, 'blocks')
  if (values['help'] === true) {
    io.stdout.write(usage('blocks [flags]', SUMMARY, BLOCKS_FLAGS))
    return EXIT_OK
  }
  if (positionals.length > 0) {
    io.stderr.write(`wfe-admission blocks: takes no arguments, got ${JSON.stringify(positionals[0])}\n`)
    return EXIT_USAGE
  }
  const output = values['output']
  if (!['', 'wide', 'json', 'yaml'].includes(output))
    throw new WfeError('WFE_ERR_USAGE', `--output must be wide, json or yaml, got "${output}"`)
  const conn = await connect(values, io)
  const everywhere = values['all-namespaces']
  const index = await indexExecutions(conn, everywhere ? undefined : conn.namespace)
  const all = values['all']
  const items = blockItems(index.rows({ all }))
  if (output === 'json' || output === 'yaml') {
    await writeAll(io.stdout, [blocksDocument(items, output)])
    return EXIT_OK
  }
  if (items.length === 0) {
    io.stderr.write(`No ${all ? 'blocked or cleared' : 'blocked'} targets${everywhere ? '' : ` in namespace ${conn.namespace}`}.\n`)
    return EXIT_OK
  }
  await writeAll(io.stdout, [blocksTable(items, { wide: output === 'wide', all, now: new Date() })])
  return EXIT_OK
}
