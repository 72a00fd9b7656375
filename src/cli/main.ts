#!/usr/bin/env node
// argv → command, nothing else. Each command lives in commands/<name>.ts.
import { processIO, EXIT_USAGE, type CliIO, type Command } from './io.js'
import { WfeError } from '../errors.js'
import { toolVersion } from './version.js'
import { closest } from './args.js'

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the admission webhook over HTTPS', load: async () => (await import('./commands/serve.js')).serve },
  review: {
    summary: 'answer one AdmissionReview from a file or stdin, offline',
    load: async () => (await import('./commands/review.js')).review,
  },
  check: {
    summary: "check WorkflowExecution manifests in CI with the cluster's verdict",
    load: async () => (await import('./commands/check.js')).check,
  },
  blocks: {
    summary: 'list targets blocked by a failed execution (kubeconfig like kubectl)',
    load: async () => (await import('./commands/blocks.js')).blocks,
  },
  clear: {
    summary: "clear a failed execution's block with your credentials",
    load: async () => (await import('./commands/clear.js')).clear,
  },
  certs: { summary: 'generate a CA and serving (and client) certificates', load: async () => (await import('./commands/certs.js')).certs },
}

function help(): string {
  const lines = ['usage: wfe-admission <command> [flags]', '', 'commands:']
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`)
  lines.push(
    '  version  print the version',
    '',
    'flags: -h, --help (also after a command), --version',
    '',
    'Run `wfe-admission <command> --help` for its flags.',
  )
  return lines.join('\n') + '\n'
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help())
    return name === undefined ? EXIT_USAGE : 0
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`wfe-admission ${toolVersion()}\n`)
    return 0
  }
  const cmd = COMMANDS[name]
  if (cmd === undefined) {
    const near = closest(name, [...Object.keys(COMMANDS), 'version'])
    const what = name.startsWith('-')
      ? `unknown flag ${name}`
      : `unknown command "${name}"${near === undefined ? '' : `; did you mean ${near}?`}`
    io.stderr.write(`wfe-admission: ${what}\n\n${help()}`)
    return EXIT_USAGE
  }
  try {
    return await (
      await cmd.load()
    )(rest, io)
  } catch (err) {
    if (err instanceof WfeError) {
      io.stderr.write(`wfe-admission ${name}: ${err.message}\n`)
      return EXIT_USAGE
    }
    throw err
  }
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  import.meta.url === (await import('node:url')).pathToFileURL((await import('node:fs')).realpathSync(process.argv[1])).href
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`wfe-admission: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
      process.exitCode = 1
    },
  )
}
