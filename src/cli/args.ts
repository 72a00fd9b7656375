// Flag parsing from the FlagSpec tables in config.ts: argv first, then the flag's environment
// variable, then its default. Unknown flags are usage errors (exit 2), never ignored.
import { parseArgs } from 'node:util'
import type { FlagSpec } from '../config.js'
import { WfeError } from '../errors.js'

export interface ParsedArgs {
  values: Record<string, unknown>
  positionals: string[]
}

export function parseFlags(argv: string[], flags: readonly FlagSpec[], env: Record<string, string | undefined>): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } }
  for (const f of flags) {
    const o: { type: 'string' | 'boolean'; multiple?: boolean; short?: string } = { type: f.type === 'boolean' ? 'boolean' : 'string' }
    if (f.multiple === true) o.multiple = true
    if (f.short !== undefined) o.short = f.short
    options[f.name] = o
  }
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new WfeError('WFE_ERR_USAGE', err instanceof Error ? err.message : String(err))
  }
  const values: Record<string, unknown> = { ...parsed.values }
  for (const f of flags) {
    if (values[f.name] === undefined && f.env !== undefined && env[f.env] !== undefined && env[f.env] !== '') {
      const raw = env[f.env] as string
      values[f.name] = f.type === 'boolean' ? raw === 'true' || raw === '1' : f.multiple === true ? raw.split(',') : raw
    }
    if (values[f.name] === undefined && f.default !== undefined) values[f.name] = f.default
    if (f.type === 'number' && typeof values[f.name] === 'string') {
      const n = Number(values[f.name])
      if (!Number.isFinite(n)) throw new WfeError('WFE_ERR_USAGE', `--${f.name}: "${String(values[f.name])}" is not a number`)
      values[f.name] = n
    }
  }
  return { values, positionals: parsed.positionals }
}

export function usage(command: string, summary: string, flags: readonly FlagSpec[]): string {
  const lines = [`usage: wfe-admission ${command}`, '', summary, '', 'flags:']
  for (const f of flags) {
    const def = f.default === undefined ? '' : ` (default ${Array.isArray(f.default) ? f.default.join(',') : String(f.default)})`
    const env = f.env === undefined ? '' : ` [$${f.env}]`
    lines.push(`  --${f.name}${f.type === 'boolean' ? '' : ' VALUE'}  ${f.description}${def}${env}`)
  }
  return lines.join('\n') + '\n'
}
