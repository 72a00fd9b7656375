// The demo's transcript: plain text for a platform engineer's terminal (and for docs/demo.md), with
// color only when the caller says stdout is a TTY.
import type { PatchOperation } from '../src/admission/patch.js'
import type { WebhookCall, WriteResult } from './apiserver.js'
import type { Chapter, Step } from './scenario.js'

export interface Style {
  bold(s: string): string
  dim(s: string): string
  green(s: string): string
  red(s: string): string
  yellow(s: string): string
}

const sgr =
  (open: number, close: number) =>
  (s: string): string =>
    `\u001b[${open}m${s}\u001b[${close}m`
const plain = (s: string): string => s

export function style(color: boolean): Style {
  return color
    ? { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39) }
    : { bold: plain, dim: plain, green: plain, red: plain, yellow: plain }
}

const WIDTH = 78

export function header(s: Style, title: string): string {
  const text = `── ${title} `
  return `\n${s.bold(text + '─'.repeat(Math.max(3, WIDTH - text.length)))}\n`
}

export function intro(s: Style, server: { port: number; probePort: number; certDir: string }): string {
  return [
    s.bold('wfe-admission demo: the life of a WorkflowExecution, over real HTTPS'),
    '',
    `  server   https://127.0.0.1:${server.port}, probes on :${server.probePort}; stopped at the end`,
    `  certs    fresh dev CA and serving pair in ${server.certDir}, removed at the end`,
    '',
    '  Each request is an AdmissionReview exactly as the kube-apiserver sends it, to the webhooks in',
    '  manifests/base: the mutating webhook first, its patch applied, then the validating webhook.',
    '',
  ].join('\n')
}

/** JSON on one line where it fits in `width`, else one key per line: a -p body a person can read. */
export function compactJson(value: unknown, indent = '', width = 96, used = indent.length): string {
  const flat = JSON.stringify(value)
  if (used + flat.length <= width || value === null || typeof value !== 'object') return flat
  const inner = indent + '  '
  const entries = Array.isArray(value)
    ? value.map((v) => inner + compactJson(v, inner, width))
    : Object.entries(value).map(([k, v]) => {
        const key = `${inner}${JSON.stringify(k)}: `
        return key + compactJson(v, inner, width, key.length)
      })
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  return `${open}\n${entries.join(',\n')}\n${indent}${close}`
}

/** The command an operator would type (the controllers' writes shown as their kubectl equivalent). */
export function kubectlCommand(step: Step): string {
  const dry = step.dryRun === true ? ' --dry-run=server' : ''
  if (step.kubectl !== undefined) return step.kubectl + dry
  const w = step.write
  if (w.kind === 'create') return `kubectl create -f ${w.object.metadata.name}.yaml${dry}`
  const sub = w.subresource === undefined ? '' : ` --subresource=${w.subresource}`
  return `kubectl patch workflowexecution ${w.name} -n ${w.namespace}${sub} --type=merge${dry} \\\n      -p '${compactJson(w.patch, '      ')}'`
}

/** Prose wrapped at the transcript's width, each line indented. */
export function wrap(text: string, indent: string, width = WIDTH): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(indent + line)
  return lines.join('\n')
}

/** One JSON Patch operation per line: short enough to read, exact enough to copy. */
export function formatPatch(ops: readonly PatchOperation[], indent: string): string {
  if (ops.length === 0) return `${indent}[]`
  const lines = ops.map(
    (op, i) =>
      `${indent}  ${JSON.stringify(op)
        .replace(/^\{"op":/, '{ "op": ')
        .replace(/,"path":/, ', "path": ')
        .replace(/,"(value|from)":/, ', "$1": ')
        .replace(/\}$/, ' }')}${i < ops.length - 1 ? ',' : ''}`,
  )
  return [`${indent}[`, ...lines, `${indent}]`].join('\n')
}

function callLine(s: Style, c: WebhookCall): string {
  const name = c.webhook.padEnd(46)
  switch (c.outcome) {
    case 'skipped':
      return `  ${s.dim(`${name}not called: ${c.detail ?? ''}`)}`
    case 'denied':
      return `  ${name}${s.red('denied')}`
    case 'error':
      return `  ${name}${s.red(`error: ${c.detail ?? ''}`)}`
    case 'patched':
      return `  ${name}allowed, patched (${c.patch?.length ?? 0} ${c.patch?.length === 1 ? 'operation' : 'operations'})`
    default:
      return `  ${name}allowed`
  }
}

export function chapterHeader(s: Style, chapter: Chapter): string {
  return header(s, `${chapter.number}. ${chapter.title}`)
}

/** A scene-setting step in one line; the full exchange is shown only when it went wrong. */
export function setupLine(s: Style, step: Step, result: WriteResult, ok: boolean): string {
  const verdict = result.allowed ? 'ALLOWED' : 'DENIED'
  const line = `  ${s.dim('setup:')} ${step.title} ${s.dim('→')} ${result.allowed ? s.green(verdict) : s.red(verdict)}`
  return ok
    ? `${line}\n`
    : `${line}\n${s.red(`  UNEXPECTED: expected ${step.expect}`)}\n${result.message === undefined ? '' : `  ${result.message}\n`}`
}

export function stepBlock(
  s: Style,
  step: Step,
  result: WriteResult,
  extra: { ok: boolean; shown?: unknown; auditLines: number; label?: string },
): string {
  const out: string[] = ['']
  if (extra.label !== undefined) out.push(`  ${s.bold(extra.label)}`)
  if (step.note !== undefined) out.push(s.dim(wrap(step.note, '  ')), '')
  out.push(`  ${s.bold('$')} ${kubectlCommand(step)}`)
  const w = step.write
  const target = w.kind === 'create' ? `workflowexecutions` : `workflowexecutions${w.subresource === undefined ? '' : `/${w.subresource}`}`
  out.push(
    `  ${s.dim(`${w.kind === 'create' ? 'CREATE' : 'UPDATE'} ${target} as ${step.user.username}${step.dryRun === true ? ', dryRun: true' : ''}`)}`,
  )
  out.push('')
  for (const c of result.calls) out.push(callLine(s, c))
  out.push('')
  const verdict = result.allowed ? s.green(s.bold('ALLOWED')) : s.red(s.bold('DENIED'))
  out.push(`  ${verdict}`)
  if (!result.allowed) out.push(`  Error from server (${result.reason ?? 'Forbidden'}): ${result.message ?? ''}`)
  if (!extra.ok) out.push(s.red(`  UNEXPECTED: the demo expected ${step.expect}`))
  for (const warning of result.warnings) out.push(`  ${s.yellow('Warning:')} ${warning}`)
  if (result.patch.length > 0) {
    out.push('', '  patch (JSON Patch, decoded):', formatPatch(result.patch, '    '))
  }
  if (step.show !== undefined && extra.shown !== undefined) {
    out.push('', `  stored ${step.show}:`, `    ${JSON.stringify(extra.shown)}`)
  }
  if (result.allowed) {
    const audit = extra.auditLines === 0 ? 'no audit line' : `${extra.auditLines} audit ${extra.auditLines === 1 ? 'line' : 'lines'}`
    out.push('', `  ${s.dim(`→ ${audit}${step.dryRun === true ? ' (dry run: nothing stored, nothing recorded)' : ''}`)}`)
  }
  return out.join('\n') + '\n'
}

export function auditSection(s: Style, lines: readonly { raw: string; step?: string }[]): string {
  const out = [header(s, `Audit trail: ${lines.length} ${lines.length === 1 ? 'line' : 'lines'} on the "audit" logger`)]
  out.push(s.dim('  One JSON line per new attribution, as the server logs it (userInfo.extra is never logged).'), '')
  for (const l of lines) out.push(`  ${s.dim(`from step ${l.step ?? '?'}:`)}`, `  ${l.raw}`, '')
  return out.join('\n')
}

export function summary(s: Style, failures: readonly string[], stopped: boolean): string {
  const out = ['']
  if (failures.length === 0) out.push(s.green(`Every verdict as expected; server stopped${stopped ? '' : ' (NOT cleanly)'}.`))
  else out.push(s.red(`${failures.length} unexpected ${failures.length === 1 ? 'result' : 'results'}:`), ...failures.map((f) => `  - ${f}`))
  return out.join('\n') + '\n'
}
