// SARIF 2.1.0 for code scanning: one reportingDescriptor per rule id (its description as the text),
// one result per finding, located at the line and column of its field (the object's first line for
// whole-object findings).
import { createHash } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { STDIN_NAME } from '../check/documents.js'
import { failsRun, findingPosition, objectName, type CheckReport, type Finding, type ObjectResult } from '../check/report.js'
import type { RenderOptions } from './options.js'

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
const INFORMATION_URI = 'https://github.com/kubernaut-ai/wfe-admission'

/** A relative path as a URI reference (resolved against the repository root by consumers). */
export function artifactUri(file: string): string {
  // A relative reference that reads as what it is, not `%3Cstdin%3E`.
  if (file === STDIN_NAME) return 'stdin'
  if (file.startsWith('/')) return pathToFileURL(file).href
  return file.split('/').map(encodeURIComponent).join('/')
}

function level(f: Finding, opts: RenderOptions): 'error' | 'warning' {
  return failsRun(f, opts) ? 'error' : 'warning'
}

function result(r: ObjectResult, f: Finding, ruleIndex: number, opts: RenderOptions): unknown {
  const at = findingPosition(r, f)
  const artifactLocation =
    r.source.file === STDIN_NAME
      ? { uri: artifactUri(r.source.file), description: { text: 'standard input' } }
      : { uri: artifactUri(r.source.file) }
  return {
    ruleId: f.ruleId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: level(f, opts),
    message: { text: `${objectName(r)}: ${f.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation,
          region: at.column === undefined ? { startLine: at.line } : { startLine: at.line, startColumn: at.column },
        },
        logicalLocations: [{ fullyQualifiedName: objectName(r), kind: 'object' }],
      },
    ],
    // Stable across line moves, so code scanning tracks one alert per object and finding.
    partialFingerprints: {
      'wfeFinding/v1': createHash('sha256')
        .update(`${r.source.file}\0${objectName(r)}\0${f.ruleId}\0${f.field}`)
        .digest('hex')
        .slice(0, 32),
    },
  }
}

export function* renderSarif(report: CheckReport, opts: RenderOptions): Iterable<string> {
  const index = new Map(report.rules.map((r, i) => [r.id, i]))
  const rules = report.rules.map((r) => ({
    id: r.id,
    shortDescription: { text: r.description },
    fullDescription: { text: r.description },
    defaultConfiguration: { level: r.severity === 'deny' ? 'error' : 'warning' },
  }))
  const driver = {
    name: report.tool.name,
    version: report.tool.version,
    semanticVersion: report.tool.version,
    informationUri: INFORMATION_URI,
    rules,
  }
  yield `{"$schema":${JSON.stringify(SARIF_SCHEMA)},"version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver)}},\n"results":[`
  let first = true
  for (const r of report.results) {
    for (const f of r.findings) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(result(r, f, index.get(f.ruleId) ?? -1, opts))}`
      first = false
    }
  }
  yield ']}]}\n'
}
