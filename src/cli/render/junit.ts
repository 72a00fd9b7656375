// JUnit XML for GitLab, Jenkins and friends: one testsuite per file, one testcase per object, a
// failure for each denied object (and for warnings under --warnings-as-errors), located at the line
// of the first failing field; each skipped document is a skipped testcase, so nothing is invisible.
import { failsRun, findingPosition, findingRef, objectName, type CheckReport, type ObjectResult, type SkippedDoc } from '../check/report.js'
import type { RenderOptions } from './options.js'

// XML 1.0 cannot carry most control characters, even escaped.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

export function xml(s: string): string {
  return s
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

function fails(r: ObjectResult, opts: RenderOptions): boolean {
  return !r.allowed || r.findings.some((f) => failsRun(f, opts))
}

function* testcase(r: ObjectResult, opts: RenderOptions): Iterable<string> {
  const op = r.subresource === '' ? r.operation : `${r.operation} ${r.subresource}`
  const failing = fails(r, opts)
  const first = failing ? (r.findings.find((f) => f.severity === 'deny') ?? r.findings[0]) : undefined
  const line = first === undefined ? r.source.line : findingPosition(r, first).line
  yield `    <testcase name="${xml(`${objectName(r)} (${op})`)}" classname="${xml(r.source.file)}" file="${xml(r.source.file)}" line="${line}">\n`
  const lines = r.findings.map((f) => `${findingRef(r, f)}: ${f.severity === 'warn' ? 'warning: ' : ''}${f.message} [${f.ruleId}]`)
  if (failing) {
    const type = r.allowed ? 'warning' : 'denied'
    yield `      <failure type="${type}" message="${xml(first?.message ?? type)}">${xml(lines.join('\n'))}</failure>\n`
  } else if (lines.length > 0) {
    yield `      <system-out>${xml(lines.join('\n'))}</system-out>\n`
  }
  yield '    </testcase>\n'
}

function skippedCase(s: SkippedDoc): string {
  const what = s.kind === '' ? 'a document without kind' : `${s.apiVersion} ${s.kind}`
  return `    <testcase name="${xml(`${what} (line ${s.source.line})`)}" classname="${xml(s.source.file)}" file="${xml(s.source.file)}" line="${s.source.line}">\n      <skipped message="${xml(`not a kubernaut.ai/v1alpha1 WorkflowExecution: ${what}`)}"/>\n    </testcase>\n`
}

export function* renderJunit(report: CheckReport, opts: RenderOptions): Iterable<string> {
  const byFile = new Map<string, { results: ObjectResult[]; skipped: SkippedDoc[] }>()
  const entry = (file: string) => {
    let e = byFile.get(file)
    if (e === undefined) byFile.set(file, (e = { results: [], skipped: [] }))
    return e
  }
  for (const r of report.results) entry(r.source.file).results.push(r)
  for (const s of report.skipped) entry(s.source.file).skipped.push(s)
  const failures = report.results.filter((r) => fails(r, opts)).length
  const tests = report.results.length + report.skipped.length
  yield '<?xml version="1.0" encoding="UTF-8"?>\n'
  yield `<testsuites name="wfe-admission check" tests="${tests}" failures="${failures}" errors="0" skipped="${report.skipped.length}">\n`
  for (const [file, { results, skipped }] of byFile) {
    const f = results.filter((r) => fails(r, opts)).length
    yield `  <testsuite name="${xml(file)}" tests="${results.length + skipped.length}" failures="${f}" errors="0" skipped="${skipped.length}">\n`
    for (const r of results) yield* testcase(r, opts)
    for (const s of skipped) yield skippedCase(s)
    yield '  </testsuite>\n'
  }
  yield '</testsuites>\n'
}
