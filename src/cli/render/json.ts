// One JSON document with every result, streamed one result per line so a large run is never
// built as one string.
import { summarize, type CheckReport, type ObjectResult } from '../check/report.js'

function result(r: ObjectResult): unknown {
  const { admitted: _admitted, ...rest } = r
  return rest
}

export function* renderJson(report: CheckReport): Iterable<string> {
  yield `{"tool":${JSON.stringify(report.tool)},\n"summary":${JSON.stringify(summarize(report))},\n"results":[`
  let first = true
  for (const r of report.results) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(result(r))}`
    first = false
  }
  yield `],\n"skipped":${JSON.stringify(report.skipped)},\n"rules":${JSON.stringify(report.rules)}${report.notes === undefined ? '' : `,\n"notes":${JSON.stringify(report.notes)}`}}\n`
}
