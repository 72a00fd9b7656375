// Flag parsing from the flag tables in cli/flags.ts: argv first, then the flag's environment
// variable, then its default, into values typed from the table (FlagValues). Unknown flags are usage errors (exit 2), never ignored. Booleans take
// the usual forms (`--x`, `--x=true|false|1|0`, `--no-x`), and so do their environment variables.
import { parseArgs } from 'node:util'
import type { FlagSpec, FlagValues } from './flags.js'
import { WfeError } from '../errors.js'

export interface ParsedArgs<Fs extends readonly FlagSpec[]> {
  values: FlagValues<Fs>
  positionals: string[]
}

/** A list flag's entries: comma-separated (in one value or several), trimmed, blanks dropped. */
export function splitList(raw: string | readonly string[]): string[] {
  const parts = typeof raw === 'string' ? [raw] : raw
  return parts
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '')
}

const HELP: FlagSpec = { name: 'help', short: 'h', type: 'boolean', commands: [], description: 'print this help and exit' }

/** `true`/`false`/`1`/`0` (any case), as a boolean; undefined for anything else. */
export function parseBool(raw: string): boolean | undefined {
  const v = raw.toLowerCase()
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  return undefined
}

/** Edit distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length] as number
}

/** The candidate closest to `name`, when it is close enough to be a typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined
  for (const c of candidates) {
    const d = c.startsWith(name) || name.startsWith(c) ? 1 : distance(name, c)
    if (best === undefined || d < best.d) best = { name: c, d }
  }
  return best !== undefined && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined
}

/** The valid flag closest to `name`, when it is close enough to be a typo. */
export function closestFlag(name: string, flags: readonly FlagSpec[]): string | undefined {
  return closest(
    name,
    [...flags, HELP].map((f) => f.name),
  )
}

function unknownFlag(token: string, flags: readonly FlagSpec[], command: string): WfeError {
  const name = token.replace(/^-+/, '').split('=')[0] ?? ''
  const near = closestFlag(name, flags)
  const hint = near === undefined ? '' : `; did you mean --${near}?`
  return new WfeError('WFE_ERR_USAGE', `unknown flag ${token.split('=')[0] ?? token}${hint} (see wfe-admission ${command} --help)`)
}

/**
 * Takes the boolean flags out of argv (every form), checks every flag name, and leaves the rest for
 * parseArgs. A token right after a string flag is its value, whatever it looks like.
 */
function splitBooleans(argv: string[], flags: readonly FlagSpec[], command: string): { rest: string[]; booleans: Map<string, boolean> } {
  const byName = new Map([...flags, HELP].map((f) => [f.name, f]))
  const byShort = new Map([...flags, HELP].filter((f) => f.short !== undefined).map((f) => [f.short as string, f]))
  const rest: string[] = []
  const booleans = new Map<string, boolean>()
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string
    if (token === '--') {
      rest.push(...argv.slice(i))
      break
    }
    if (token.startsWith('--')) {
      const eq = token.indexOf('=')
      const name = token.slice(2, eq === -1 ? undefined : eq)
      const negated =
        !byName.has(name) && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean' ? name.slice(3) : undefined
      const spec = byName.get(negated ?? name)
      if (spec === undefined) throw unknownFlag(token, flags, command)
      if (spec.type === 'boolean') {
        if (negated !== undefined) {
          if (eq !== -1) throw new WfeError('WFE_ERR_USAGE', `--no-${spec.name} takes no value; use --${spec.name}=${token.slice(eq + 1)}`)
          booleans.set(spec.name, false)
        } else if (eq === -1) booleans.set(spec.name, true)
        else {
          const value = parseBool(token.slice(eq + 1))
          if (value === undefined)
            throw new WfeError('WFE_ERR_USAGE', `--${spec.name}: invalid value "${token.slice(eq + 1)}": must be true, false, 1 or 0`)
          booleans.set(spec.name, value)
        }
        continue
      }
      // `--flag value` becomes `--flag=value`, so a value that starts with a dash is still a value (as in kubectl).
      rest.push(eq === -1 && i + 1 < argv.length ? `--${spec.name}=${argv[++i] as string}` : token)
      continue
    }
    if (token.startsWith('-') && token !== '-') {
      const spec = byShort.get(token.slice(1, 2))
      if (spec === undefined) throw unknownFlag(token, flags, command)
      if (spec.type === 'boolean' && token.length === 2) {
        booleans.set(spec.name, true)
        continue
      }
      rest.push(token.length === 2 && i + 1 < argv.length ? `--${spec.name}=${argv[++i] as string}` : token)
      continue
    }
    rest.push(token)
  }
  return { rest, booleans }
}

export function parseFlags<const Fs extends readonly FlagSpec[]>(
  argv: string[],
  flags: Fs,
  env: Record<string, string | undefined>,
  command = 'COMMAND',
): ParsedArgs<Fs> {
  const { rest, booleans } = splitBooleans(argv, flags, command)
  const options: Record<string, { type: 'string'; multiple?: boolean; short?: string }> = {}
  for (const f of flags) {
    if (f.type === 'boolean') continue
    const o: { type: 'string'; multiple?: boolean; short?: string } = { type: 'string' }
    if (f.multiple === true) o.multiple = true
    if (f.short !== undefined) o.short = f.short
    options[f.name] = o
  }
  let parsed
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new WfeError('WFE_ERR_USAGE', `${err instanceof Error ? err.message : String(err)} (see wfe-admission ${command} --help)`)
  }
  const values: Record<string, unknown> = { ...parsed.values, ...Object.fromEntries(booleans) }
  for (const f of flags) {
    if (values[f.name] === undefined && f.env !== undefined && env[f.env] !== undefined && env[f.env] !== '') {
      const raw = env[f.env] as string
      if (f.type === 'boolean') {
        const value = parseBool(raw)
        if (value === undefined)
          throw new WfeError('WFE_ERR_USAGE', `$${f.env}: invalid value "${raw}": must be true, false, 1 or 0 (it sets --${f.name})`)
        values[f.name] = value
      } else values[f.name] = f.multiple === true ? raw.split(',') : raw
    }
    if (values[f.name] === undefined && f.default !== undefined) values[f.name] = f.default
    if (f.type === 'number' && typeof values[f.name] === 'string') {
      const n = Number(values[f.name])
      if (!Number.isFinite(n) || String(values[f.name]).trim() === '')
        throw new WfeError('WFE_ERR_USAGE', `--${f.name}: "${String(values[f.name])}" is not a number`)
      values[f.name] = n
    }
    if (f.type === 'list' && values[f.name] !== undefined) values[f.name] = splitList(values[f.name] as string | string[])
  }
  // The one place the run-time shape meets the table's type: each value was just built from its row.
  return { values: values as FlagValues<Fs>, positionals: parsed.positionals }
}

const PLACEHOLDER: Record<FlagSpec['type'], string> = { string: 'VALUE', number: 'N', list: 'LIST', boolean: '' }

export function usage(command: string, summary: string, flags: readonly FlagSpec[]): string {
  const rows = [...flags, HELP].map((f) => {
    const short = f.short === undefined ? '    ' : `-${f.short}, `
    const left = `${short}--${f.name}${f.type === 'boolean' ? '' : ` ${PLACEHOLDER[f.type]}`}`
    const shown = Array.isArray(f.default) ? f.default.join(',') : f.default === undefined ? '' : String(f.default)
    const def = shown === '' || (f.type === 'boolean' && f.default === false) ? '' : ` (default ${shown})`
    const env = f.env === undefined ? '' : ` [$${f.env}]`
    return { left, right: `${f.description}${def}${env}` }
  })
  const width = Math.max(...rows.map((r) => r.left.length))
  const lines = [`usage: wfe-admission ${command}`, '', summary, '', 'flags:']
  for (const r of rows) lines.push(`  ${r.left.padEnd(width)}  ${r.right}`)
  lines.push('', 'Boolean flags also take --FLAG=false and --no-FLAG.')
  return lines.join('\n') + '\n'
}
