// `wfe-admission check [flags] PATH...`: the verdict the cluster would give each WorkflowExecution
// in PATH, offline, in a CI-native format. Exit 0 all allowed, 1 any denial (or warning with
// --warnings-as-errors), 2 usage errors and unreadable or unparsable input.
import { CHECK_FLAGS } from '../flags.js'
import { parseFlags, splitList, usage } from '../args.js'
import { policyFromFlags } from '../policy-flags.js'
import { EXIT_OK, EXIT_USAGE, type CliIO, type Command } from '../io.js'
import { WfeError } from '../../errors.js'
import { loadDocuments, type SourceDoc } from '../check/documents.js'
import { identity } from '../check/request.js'
import { ruleTable, runCheck, type FieldValidation } from '../check/run.js'
import { mutatedYaml } from '../check/mutated.js'
import { loadClusterState, NO_CLUSTER_STATE_NOTE } from '../check/cluster-state.js'
import { failsRun, findingRef, objectName, skippedKinds, type CheckReport } from '../check/report.js'
import type { RenderOptions } from '../render/options.js'
import { closest } from '../args.js'
import { FORMATS, isFormat, RENDERERS } from '../render/index.js'
import { exitCode } from '../exit-code.js'
import { writeAll } from '../write.js'
import { toolVersion } from '../version.js'

const SUMMARY = [
  'Checks every kubernaut.ai/v1alpha1 WorkflowExecution in PATH (files, directories, or - for stdin)',
  'with the same rules and options as serve: mutate, then validate, as the apiserver would. Other kinds',
  'are skipped and counted by kind; a WorkflowExecution in a group or version the CRD does not serve, or a',
  'kubernaut.ai kind it does not serve, is an error, and so is a field the CRD does not declare (--validate).',
  'Exit 0 all allowed, 1 any denial, 2 usage or input errors, or no WorkflowExecution found (unless --allow-empty).',
].join('\n')

export const check: Command = async (argv, io) => {
  try {
    return await run(argv, io)
  } catch (err) {
    if (!(err instanceof WfeError)) throw err
    io.stderr.write(`wfe-admission check: ${err.message}\n`)
    return EXIT_USAGE
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, CHECK_FLAGS, io.env, 'check')
  if (values['help'] === true) {
    io.stdout.write(usage('check [flags] PATH...', SUMMARY, CHECK_FLAGS))
    return EXIT_OK
  }
  const output = values['output']
  if (!isFormat(output)) throw new WfeError('WFE_ERR_USAGE', `--output must be one of ${FORMATS.join(', ')}, got "${output}"`)
  const subresource = values['subresource']
  if (subresource !== '' && subresource !== 'status')
    throw new WfeError('WFE_ERR_USAGE', `--subresource must be '' or status, got "${subresource}"`)
  const oldPaths = values['old']
  if (subresource === 'status' && oldPaths === undefined)
    throw new WfeError('WFE_ERR_USAGE', '--subresource status needs --old: a status update is checked against the stored object')
  if (positionals.length === 0)
    throw new WfeError('WFE_ERR_USAGE', 'give at least one PATH (a file, a directory, or - for stdin); see --help')
  if ([...positionals, ...(oldPaths ?? [])].filter((p) => p === '-').length > 1)
    throw new WfeError('WFE_ERR_USAGE', '- (stdin) may be given only once across PATH and --old')

  const statePath = values['cluster-state']
  if (statePath === '-' && [...positionals, ...(oldPaths ?? [])].includes('-'))
    throw new WfeError('WFE_ERR_USAGE', '- (stdin) may be given only once across PATH, --old and --cluster-state')
  const state = statePath === undefined ? undefined : await loadClusterState(statePath, io.cwd, io.stdin)
  const validate = fieldValidation(String(values['validate']))
  const policy = policyFromFlags(values, io.cwd, undefined, state?.index)
  const rules = ruleTable(policy)
  const tolerated = values['tolerate-warning'] === undefined ? [] : splitList(values['tolerate-warning'])
  for (const id of tolerated) {
    if (!rules.some((r) => r.id === id)) {
      const near = closest(
        id,
        rules.map((r) => r.id),
      )
      throw new WfeError('WFE_ERR_USAGE', `--tolerate-warning: no rule "${id}"${near === undefined ? '' : `; did you mean ${near}?`}`)
    }
  }
  const { docs } = await loadDocuments(positionals, io)
  let oldDocs: SourceDoc[] | undefined
  if (oldPaths !== undefined) oldDocs = (await loadDocuments(oldPaths, io, '--old')).docs
  const groups = splitList(values['group'] ?? [])
  const { results, skipped } = runCheck(docs, oldDocs, policy, {
    validate,
    subresource,
    userInfo: identity(values['user'], groups),
    dryRun: values['dry-run'],
    namespace: values['namespace'],
  })
  const report: CheckReport = { tool: { name: 'wfe-admission', version: toolVersion() }, results, skipped, rules }
  const failing: RenderOptions = { warningsAsErrors: values['warnings-as-errors'], toleratedWarnings: new Set(tolerated) }
  const printMutated = values['print-mutated']
  // Said once, not per object: without the cluster's state a CREATE the cluster refuses for its
  // target's block passes here.
  if (state === undefined && policy.options.targetBlocks.mode !== 'off' && results.some((r) => r.operation === 'CREATE')) {
    // A machine-readable report on stderr (--print-mutated) must stay one parsable document there:
    // JSON carries the note inside it; the other formats leave it out rather than break their readers.
    if (!printMutated || output === 'text' || output === 'github') io.stderr.write(NO_CLUSTER_STATE_NOTE)
    else if (output === 'json') report.notes = [NO_CLUSTER_STATE_NOTE.replace(/^wfe-admission check: note: /, '').trimEnd()]
  }
  await writeAll(printMutated ? io.stderr : io.stdout, RENDERERS[output](report, failing))
  if (printMutated) await writeAll(io.stdout, mutatedYaml(report))
  if (failing.warningsAsErrors) {
    for (const r of report.results) {
      for (const f of r.findings.filter((x) => x.severity === 'warn' && failsRun(x, failing))) {
        io.stderr.write(
          `wfe-admission check: --warnings-as-errors: this warning fails the run: ${findingRef(r, f)}: ${objectName(r)}: ${f.message} [${f.ruleId}]\n`,
        )
      }
    }
  }
  // A CI job that checked nothing (a typo in a path or kind, an empty file) must not stay green.
  if (report.results.length === 0 && !values['allow-empty']) {
    const found =
      skipped.length === 0
        ? 'no documents'
        : `${skipped.length} document${skipped.length === 1 ? '' : 's'} of other kinds: ${skippedKinds(skipped)}`
    io.stderr.write(
      `wfe-admission check: no WorkflowExecution to check in ${positionals.map((p) => (p === '-' ? 'stdin' : p)).join(' ')} (${found}); pass --allow-empty if that is expected\n`,
    )
    return EXIT_USAGE
  }
  return exitCode(report, failing)
}

/** kubectl's --validate values, its true/false aliases included. */
function fieldValidation(raw: string): FieldValidation {
  const v = raw.toLowerCase()
  if (v === 'strict' || v === 'true') return 'strict'
  if (v === 'warn') return 'warn'
  if (v === 'ignore' || v === 'false') return 'ignore'
  throw new WfeError('WFE_ERR_USAGE', `--validate: invalid value "${raw}": must be strict (or true), warn, or ignore (or false)`)
}
