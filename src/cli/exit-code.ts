// Findings + flags → exit status. 2 (usage, unreadable or unparsable input) never reaches here:
// the command returns it before there is a report.
import { EXIT_DENIED, EXIT_OK } from './io.js'
import { failsRun, type CheckReport } from './check/report.js'
import type { RenderOptions } from './render/options.js'

export function exitCode(report: CheckReport, flags: RenderOptions): typeof EXIT_OK | typeof EXIT_DENIED {
  if (report.results.some((r) => !r.allowed || r.findings.some((f) => failsRun(f, flags)))) return EXIT_DENIED
  return EXIT_OK
}
