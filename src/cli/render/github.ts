// GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding, at the line
// and column of its field (the object's first line for whole-object findings), then the summary.
import { failsRun, findingPosition, objectName, summarize, summaryLine, type CheckReport } from '../check/report.js'
import type { RenderOptions } from './options.js'

/** The escaping GitHub's runner applies to command data and to property values. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

export function* renderGithub(report: CheckReport, opts: RenderOptions): Iterable<string> {
  for (const r of report.results) {
    for (const f of r.findings) {
      const command = failsRun(f, opts) ? 'error' : 'warning'
      const at = findingPosition(r, f)
      const props = `file=${escapeProperty(r.source.file)},line=${at.line}${at.column === undefined ? '' : `,col=${at.column}`},title=${escapeProperty(`wfe-admission ${f.ruleId}`)}`
      yield `::${command} ${props}::${escapeData(`${objectName(r)}: ${f.message}`)}\n`
    }
  }
  yield `${summaryLine(summarize(report), report.skipped)}\n`
}
