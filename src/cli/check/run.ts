// Each WorkflowExecution through admit(request, policy, 'both'): mutate then validate, as the
// apiserver orders them. CREATE by default; UPDATE (of the resource or /status) when an object
// with the same namespace/name is in the --old set.
import { admit, type AdmitResult } from '../../admission/admit.js'
import { errorString, warningString } from '../../admission/field.js'
import type { UserInfo } from '../../admission/types.js'
import { API_VERSION, GROUP, KIND, type WorkflowExecution } from '../../api/workflowexecution.js'
import type { CompiledPolicy } from '../../admission/rule-contract.js'
import type { Subresource } from '../../admission/rule-contract.js'
import { WfeError } from '../../errors.js'
import type { SourceDoc, SourceRef } from './documents.js'
import { synthesizeRequest } from './request.js'
import { pruneAsApiserver, unknownFieldError, unknownFieldWarning, withNamespace } from '../../admission/apiserver.js'
import { REQUEST_INVALID, UNKNOWN_FIELD, UNSERVED_KIND, type Finding, type ObjectResult, type RuleInfo, type SkippedDoc } from './report.js'
import { isRecord } from '../../api/json.js'
import { distance } from '../args.js'

/** kubectl's --validate: how the apiserver treats a field the CRD does not declare (fieldValidation). */
export type FieldValidation = 'strict' | 'warn' | 'ignore'

export interface CheckOptions {
  /** strict (kubectl's default): the request is refused; warn: pruned with a warning; ignore: pruned silently. */
  validate: FieldValidation
  subresource: Subresource
  userInfo: UserInfo
  dryRun: boolean
  /** Namespace for objects that name none: what kubectl would send them to. */
  namespace: string
}

type Obj = Record<string, unknown>

function isWorkflowExecution(v: unknown): v is Obj {
  return isRecord(v) && v['apiVersion'] === API_VERSION && v['kind'] === KIND
}

function keyOf(object: Obj): { namespace: string; name: string } {
  const meta = isRecord(object['metadata']) ? object['metadata'] : {}
  return { namespace: String(meta['namespace'] ?? ''), name: typeof meta['name'] === 'string' ? meta['name'] : '' }
}

/** `index` is the document's place in the input, so results keep the input's order. */
type Located = { index: number; source: SourceRef; object: Obj; locate?: SourceDoc['locate'] }

/** A group one slip away from ours (`kubernaut.io`, `kubernaut.ai.`, `kubernuat.ai`): a typo, not another API. */
export function nearMissGroup(group: string): boolean {
  return group !== GROUP && (group.split('.')[0] === GROUP.split('.')[0] || distance(group, GROUP) <= 2)
}

/**
 * Meant for the CRD but not a kind/version it serves: any `kind: WorkflowExecution`, whatever its
 * apiVersion (a typo in the group, an unserved version), and anything in our group or a near miss
 * of it (a typo in the kind). kubectl refuses each; skipping them would let the typo through CI green.
 */
function unservedKind(v: unknown): boolean {
  if (!isRecord(v) || typeof v['apiVersion'] !== 'string') return false
  if (v['kind'] === KIND) return true
  const slash = v['apiVersion'].indexOf('/')
  return slash > 0 && (v['apiVersion'].slice(0, slash) === GROUP || nearMissGroup(v['apiVersion'].slice(0, slash)))
}

/** Splits documents into WorkflowExecutions, kubernaut.ai documents the CRD does not serve, and the skipped rest. */
export function classify(
  docs: readonly SourceDoc[],
  namespace: string,
): { objects: Located[]; unserved: Located[]; skipped: SkippedDoc[] } {
  const objects: Located[] = []
  const unserved: Located[] = []
  const skipped: SkippedDoc[] = []
  for (const [index, d] of docs.entries()) {
    const located = (object: Obj): Located => ({ index, source: d.source, object, ...(d.locate === undefined ? {} : { locate: d.locate }) })
    if (isWorkflowExecution(d.object)) objects.push(located(withNamespace(d.object, namespace)))
    else if (unservedKind(d.object)) unserved.push(located(withNamespace(d.object as Obj, namespace)))
    else {
      const o = isRecord(d.object) ? d.object : {}
      skipped.push({
        source: d.source,
        apiVersion: typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '',
        kind: typeof o['kind'] === 'string' ? o['kind'] : '',
      })
    }
  }
  return { objects, unserved, skipped }
}

/** What kubectl would answer for the document: no such kind in that version, and what is served. */
function unservedResult({ source, object, locate }: Located): ObjectResult {
  const { namespace, name } = keyOf(object)
  const apiVersion = String(object['apiVersion'])
  const kind = typeof object['kind'] === 'string' ? object['kind'] : ''
  const field = apiVersion === API_VERSION ? 'kind' : 'apiVersion'
  const finding: Finding = {
    ruleId: UNSERVED_KIND,
    severity: 'deny',
    field,
    // kubectl's words (its resource mapping error), then what is served.
    message: `${field}: no matches for kind "${kind}" in version "${apiVersion}": the WorkflowExecution CRD serves kind "${KIND}" in version "${API_VERSION}" only`,
  }
  const at = locate?.(field)
  if (at !== undefined) finding.location = at
  return { source, namespace, name, operation: 'CREATE', subresource: '', allowed: false, findings: [finding] }
}

type Stored = { source: SourceRef; object: Obj }

/**
 * The --old objects by namespace/name. A stored object has been through the same pruning; its
 * warnings were given when it was written. The same key twice is an input error.
 */
function storedByKey(oldDocs: readonly SourceDoc[], namespace: string): Map<string, Stored> {
  const olds = new Map<string, Stored>()
  for (const o of classify(oldDocs, namespace).objects) {
    const object = pruneAsApiserver(o.object).object
    const { namespace: ns, name } = keyOf(object)
    const key = `${ns}/${name}`
    const prior = olds.get(key)
    if (prior !== undefined)
      throw new WfeError(
        'WFE_ERR_INPUT',
        `${o.source.file}:${o.source.line}: --old has ${key} twice (first at ${prior.source.file}:${prior.source.line})`,
      )
    olds.set(key, { source: o.source, object })
  }
  return olds
}

/** One WorkflowExecution through admit(), as the apiserver would send it: CREATE, or UPDATE of its --old object. */
function checkObject(
  { source, object: written, locate }: Located,
  olds: Map<string, Stored> | undefined,
  policy: CompiledPolicy,
  opts: CheckOptions,
): ObjectResult {
  const { object, unknown } = pruneAsApiserver(written)
  const { namespace, name } = keyOf(object)
  const old = olds === undefined || name === '' ? undefined : olds.get(`${namespace}/${name}`)
  // Falling back to a CREATE would skip every UPDATE rule (immutability, phase order) unnoticed.
  if (old === undefined && olds !== undefined) {
    const why =
      opts.subresource === 'status'
        ? 'a status update needs the stored object'
        : 'without it the object would be checked as a CREATE, skipping the UPDATE rules'
    throw new WfeError(
      'WFE_ERR_INPUT',
      `${source.file}:${source.line}: ${namespace}/${name === '' ? '(no name)' : name}: no object with this namespace/name in --old; ${why}`,
    )
  }
  const request = synthesizeRequest({
    object,
    ...(old === undefined ? {} : { oldObject: old.object }),
    subresource: old === undefined ? '' : opts.subresource,
    userInfo: opts.userInfo,
    dryRun: opts.dryRun,
    key: `${source.file}:${source.line}:${namespace}/${name}`,
  })
  const verdict = admit(request, policy, 'both')
  // Under strict validation the apiserver refuses the request while decoding it, before any
  // webhook; the rules' findings are still reported, so one run shows everything to fix.
  const refused = opts.validate === 'strict' && unknown.length > 0
  const result: ObjectResult = {
    source,
    namespace,
    name,
    operation: request.operation as ObjectResult['operation'],
    subresource: (request.subResource ?? '') as Subresource,
    allowed: verdict.response.allowed && !refused,
    findings: [
      ...(opts.validate === 'ignore' ? [] : unknown).map((field): Finding =>
        refused
          ? { ruleId: UNKNOWN_FIELD, severity: 'deny', field, message: unknownFieldError(field) }
          : { ruleId: UNKNOWN_FIELD, severity: 'warn', field, message: unknownFieldWarning(field) },
      ),
      ...findingsOf(verdict),
    ].map((f) => {
      const at = f.field === '' ? undefined : locate?.(f.field)
      return at === undefined ? f : { ...f, location: at }
    }),
  }
  if (old !== undefined) result.old = old.source
  // What the apiserver stores: the object it sent (pruned, status dropped or kept), after mutation.
  if (result.allowed) result.admitted = (verdict.mutated ?? request.object) as WorkflowExecution
  return result
}

export function runCheck(
  docs: readonly SourceDoc[],
  oldDocs: readonly SourceDoc[] | undefined,
  policy: CompiledPolicy,
  opts: CheckOptions,
): { results: ObjectResult[]; skipped: SkippedDoc[] } {
  const { objects, unserved, skipped } = classify(docs, opts.namespace)
  const olds = oldDocs === undefined ? undefined : storedByKey(oldDocs, opts.namespace)
  const results = objects.map((o) => checkObject(o, olds, policy, opts))
  // Results keep the input's order, unserved documents among the rest.
  const order = [...objects.map((o) => o.index), ...unserved.map((o) => o.index)]
  results.push(...unserved.map(unservedResult))
  const sorted = results
    .map((r, i) => ({ r, at: order[i] as number }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.r)
  return { results: sorted, skipped }
}

function findingsOf(verdict: AdmitResult): Finding[] {
  const findings: Finding[] = []
  const status = verdict.response.status
  if (!verdict.response.allowed && status?.code !== 403) {
    findings.push({ ruleId: REQUEST_INVALID, severity: 'deny', field: '', message: status?.message ?? 'the request could not be admitted' })
  }
  for (const v of verdict.violations) {
    findings.push({ ruleId: v.error.origin, severity: v.severity, field: v.error.field, message: errorString(v.error) })
  }
  for (const w of verdict.mutationWarnings) findings.push({ ruleId: w.origin, severity: 'warn', field: w.field, message: warningString(w) })
  return findings
}

/** The rules a report can mention, for SARIF's rule table and the JSON output. */
export function ruleTable(policy: CompiledPolicy): RuleInfo[] {
  const rules: RuleInfo[] = policy.rules.map((r) => ({
    id: r.id,
    description: r.description,
    severity: r.kind === 'mutate' ? 'warn' : r.severity,
  }))
  rules.push({
    id: REQUEST_INVALID,
    description: 'the object could not be decoded as a kubernaut.ai/v1alpha1 WorkflowExecution',
    severity: 'deny',
  })
  rules.push({
    id: UNSERVED_KIND,
    description:
      'a WorkflowExecution in an API group or version the CRD does not serve, or a kubernaut.ai (or near-miss group) document of a kind it does not serve: kubectl finds no such kind',
    severity: 'deny',
  })
  rules.push({
    id: UNKNOWN_FIELD,
    description:
      "a field the CRD does not declare: refused under kubectl's default --validate=strict; pruned with a warning under --validate=warn",
    severity: 'deny',
  })
  return rules
}
