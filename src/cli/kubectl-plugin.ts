#!/usr/bin/env node
// `kubectl wfe blocks|clear …`: kubectl runs kubectl-wfe from PATH with the words after `wfe`; the
// plugin is the same CLI limited to the commands that act on a cluster.
import { main } from './main.js'

const PLUGIN_COMMANDS = new Set(['blocks', 'clear'])
const [command] = process.argv.slice(2)
if (command === undefined || !PLUGIN_COMMANDS.has(command)) {
  process.stderr.write(
    `kubectl wfe: ${command === undefined ? 'no command' : `unknown command "${command}"`}: use \`kubectl wfe blocks\` or \`kubectl wfe clear NAME -n NS --reason "…"\`\n`,
  )
  process.exitCode = 2
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`kubectl wfe: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exitCode = 1
    },
  )
}
