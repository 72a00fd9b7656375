// Findings + flags → exit status. 2 (usage, unreadable or unparsable input) never reaches here:
// the command returns it before there is a report.
import { EXIT_DENIED, EXIT_OK } from './io.js'
import type { CheckReport } from './check/report.js'

export function exitCode(report: CheckReport, flags: { warningsAsErrors: boolean }): typeof EXIT_OK | typeof EXIT_DENIED {
  if (report.results.some((r) => !r.allowed)) return EXIT_DENIED
  if (flags.warningsAsErrors && report.results.some((r) => r.findings.some((f) => f.severity === 'warn'))) return EXIT_DENIED
  return EXIT_OK
}
