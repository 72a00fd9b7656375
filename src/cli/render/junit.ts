// JUnit XML for GitLab, Jenkins and friends: one testsuite per file, one testcase per object, a
// failure for each denied object (and for warnings under --warnings-as-errors).
import { objectName, type CheckReport, type ObjectResult } from '../check/report.js'
import type { RenderOptions } from './options.js'

// XML 1.0 cannot carry most control characters, even escaped.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

export function xml(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

function fails(r: ObjectResult, opts: RenderOptions): boolean {
  return !r.allowed || (opts.warningsAsErrors && r.findings.some((f) => f.severity === 'warn'))
}

function* testcase(r: ObjectResult, opts: RenderOptions): Iterable<string> {
  const op = r.subresource === '' ? r.operation : `${r.operation} ${r.subresource}`
  yield `    <testcase name="${xml(`${objectName(r)} (${op})`)}" classname="${xml(r.source.file)}" file="${xml(r.source.file)}" line="${r.source.line}">\n`
  const lines = r.findings.map((f) => `${f.severity === 'warn' ? 'warning: ' : ''}${f.message} [${f.ruleId}]`)
  if (fails(r, opts)) {
    const first = r.findings.find((f) => f.severity === 'deny') ?? r.findings[0]
    const type = r.allowed ? 'warning' : 'denied'
    yield `      <failure type="${type}" message="${xml(first?.message ?? type)}">${xml(`${r.source.file}:${r.source.line}\n${lines.join('\n')}`)}</failure>\n`
  } else if (lines.length > 0) {
    yield `      <system-out>${xml(lines.join('\n'))}</system-out>\n`
  }
  yield '    </testcase>\n'
}

export function* renderJunit(report: CheckReport, opts: RenderOptions): Iterable<string> {
  const byFile = new Map<string, ObjectResult[]>()
  for (const r of report.results) {
    const list = byFile.get(r.source.file)
    if (list === undefined) byFile.set(r.source.file, [r])
    else list.push(r)
  }
  const failures = report.results.filter((r) => fails(r, opts)).length
  yield '<?xml version="1.0" encoding="UTF-8"?>\n'
  yield `<testsuites name="wfe-admission check" tests="${report.results.length}" failures="${failures}" errors="0" skipped="0">\n`
  for (const [file, results] of byFile) {
    const f = results.filter((r) => fails(r, opts)).length
    yield `  <testsuite name="${xml(file)}" tests="${results.length}" failures="${f}" errors="0" skipped="0">\n`
    for (const r of results) yield* testcase(r, opts)
    yield '  </testsuite>\n'
  }
  yield '</testsuites>\n'
}
