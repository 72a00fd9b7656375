// `npm run demo`: the webhook server on free loopback ports, a WorkflowExecution's life played
// against it over HTTPS, the transcript on stdout. Exits 1 if any verdict was not the expected one.
import { runDemo } from '../demo/run.js'

const result = await runDemo({ write: (chunk) => process.stdout.write(chunk), color: process.stdout.isTTY === true })
process.exitCode = result.ok ? 0 : 1
