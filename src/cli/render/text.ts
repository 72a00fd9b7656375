// For people: one line per object (`file:line: namespace/name (OPERATION): verdict`), then each
// finding at its field's `file:line:column` (what editors and CI logs link), warnings marked, and a
// summary line.
import { findingRef, objectName, summarize, summaryLine, type CheckReport, type ObjectResult } from '../check/report.js'

function heading(r: ObjectResult): string {
  const op = r.subresource === '' ? r.operation : `${r.operation} ${r.subresource}`
  const against = r.old === undefined ? '' : `, old at ${r.old.file}:${r.old.line}`
  return `${r.source.file}:${r.source.line}: ${objectName(r)} (${op}${against}): ${r.allowed ? 'allowed' : 'DENIED'}\n`
}

export function* renderText(report: CheckReport): Iterable<string> {
  for (const r of report.results) {
    yield heading(r)
    for (const f of r.findings) yield `  ${findingRef(r, f)}: ${f.severity === 'warn' ? 'warning: ' : ''}${f.message} [${f.ruleId}]\n`
  }
  for (const s of report.skipped)
    yield `${s.source.file}:${s.source.line}: skipped ${s.kind === '' ? 'a document without kind' : `${s.apiVersion} ${s.kind}`}\n`
  yield `${summaryLine(summarize(report), report.skipped)}\n`
}
