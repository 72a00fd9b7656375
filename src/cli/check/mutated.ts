// `--print-mutated`: what the apiserver would store for each allowed object, as a YAML stream
// (each document headed by where it came from), ready to diff or to pipe into kubectl.
import { stringify } from 'yaml'
import type { CheckReport } from './report.js'

export function* mutatedYaml(report: CheckReport): Iterable<string> {
  for (const r of report.results) {
    if (r.admitted === undefined) continue
    yield `---\n# ${r.source.file}:${r.source.line}\n${stringify(r.admitted, { lineWidth: 0 })}`
  }
}
