// tap's `before` (.taprc): builds the pinned kubectl and helm the manifest and chart tests run, once,
// into .cache/cluster-tools (seconds when they are there), so `npm ci && npm test` needs nothing on
// PATH but Node and Go. Not a test file.
import { HELM, KUBECTL, obtainTool } from './helpers/tools.js'

const log = (line: string): void => {
  process.stderr.write(`test setup: ${line}\n`)
}
try {
  for (const tool of [KUBECTL, HELM]) await obtainTool(tool, log)
} catch (err) {
  log(err instanceof Error ? err.message : String(err))
  process.exit(1)
}
