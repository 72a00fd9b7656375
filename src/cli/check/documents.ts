// PATH arguments → the objects in them, each with the file and line it starts on: directories are
// walked, multi-document YAML and `kind: List` are unpacked. Unparsable YAML is an input error
// (exit 2) naming the file and line, never a skipped document.
import { readdir, stat } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml'
import { yamlIntegerReviver } from '../../api/lossless-json.js'
import { fsProblem, readText } from '../read-input.js'
import { WfeError } from '../../errors.js'

export interface SourceRef {
  /** As shown to people and in reports: relative to the working directory when inside it. */
  file: string
  /** 1-based line where the object starts. */
  line: number
}

/** 1-based line and column in the file. */
export interface Position {
  line: number
  column: number
}

export interface SourceDoc {
  source: SourceRef
  object: unknown
  /** Where a field path (`spec.targetResource`, `status.conditions[0].type`) is written, or its nearest written parent; undefined for ''. */
  locate?: (field: string) => Position | undefined
}

const EXTENSIONS = ['.yaml', '.yml', '.json']
export const STDIN_NAME = '<stdin>'

/** Expands PATHs to files: a directory is walked (sorted, dot-entries skipped) for YAML and JSON. */
export async function expandPaths(paths: readonly string[], cwd: string, from = 'PATH'): Promise<string[]> {
  const out: string[] = []
  for (const p of paths) {
    if (p === '-') {
      out.push('-')
      continue
    }
    const abs = resolve(cwd, p)
    let info
    try {
      info = await stat(abs)
    } catch (err) {
      throw new WfeError('WFE_ERR_INPUT', `${from}: the path "${p}" ${fsProblem(err)}`)
    }
    if (info.isDirectory()) out.push(...(await walk(abs)))
    else out.push(abs)
  }
  return out
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const out: string[] = []
  for (const e of entries) {
    if (e.name.startsWith('.')) continue
    const path = join(dir, e.name)
    // Symlinked directories are not followed: a link back up the tree would never end.
    if (e.isDirectory()) out.push(...(await walk(path)))
    else if ((e.isFile() || e.isSymbolicLink()) && EXTENSIONS.some((x) => e.name.endsWith(x))) {
      if (
        e.isSymbolicLink() &&
        !(await stat(path).then(
          (s) => s.isFile(),
          () => false,
        ))
      )
        continue
      out.push(path)
    }
  }
  return out
}

export function displayPath(path: string, cwd: string): string {
  if (path === '-') return STDIN_NAME
  const rel = relative(cwd, path)
  const shown = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
  return shown.split(sep).join('/')
}

/** Every object in `text`, a `kind: List` contributing its items, each with its starting line. */
export function parseDocuments(file: string, text: string): SourceDoc[] {
  const lines = new LineCounter()
  // Integers as BigInt, turned back into numbers with the exact value kept on the side (int64 in Go).
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, intAsBigInt: true })
  if (!Array.isArray(docs)) return [] // an empty stream
  const out: SourceDoc[] = []
  for (const doc of docs) {
    const error = doc.errors[0]
    if (error !== undefined) {
      const { line, col } = lines.linePos(error.pos[0])
      throw new WfeError('WFE_ERR_INPUT', `${file}:${line}:${col}: invalid YAML: ${error.message.split('\n')[0]}`)
    }
    const contents = doc.contents as Node | null
    if (contents === null) continue // an empty document, as after a trailing `---`
    const lineOf = (node: unknown): number => {
      const range = (node as Node | null)?.range
      return range ? lines.linePos(range[0]).line : 1
    }
    let value: unknown
    try {
      value = doc.toJS({ maxAliasCount: 100, reviver: yamlIntegerReviver })
    } catch (err) {
      throw new WfeError('WFE_ERR_INPUT', `${file}:${lineOf(contents)}: invalid YAML: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (value === null || value === undefined) continue // only comments, or `---` with nothing after
    const items = isMap(contents) && isList(value) ? contents.get('items', true) : undefined
    const at = (node: unknown) => (field: string) => locate(node, field, lines)
    if (isList(value) && isSeq(items)) {
      value.items.forEach((object, i) => out.push({ source: { file, line: lineOf(items.items[i]) }, object, locate: at(items.items[i]) }))
    } else {
      out.push({ source: { file, line: lineOf(contents) }, object: value, locate: at(contents) })
    }
  }
  return out
}

/** `a.b[0].c[key.with/dots]` → ['a', 'b', '0', 'c', 'key.with/dots'], apimachinery's path syntax. */
export function pathSegments(field: string): string[] {
  const out: string[] = []
  const re = /([^.[\]]+)|\[([^\]]*)\]/g
  for (const m of field.matchAll(re)) out.push((m[1] ?? m[2]) as string)
  return out
}

/** Walks the YAML nodes along `field`; the position of the deepest key (or item) that exists. */
function locate(root: unknown, field: string, lines: LineCounter): Position | undefined {
  const segments = pathSegments(field)
  if (segments.length === 0) return undefined
  let node = root
  let found: number | undefined
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg)
      const start = (pair?.key as Node | undefined)?.range?.[0]
      if (pair === undefined || start === undefined) break
      found = start
      node = pair.value
    } else if (isSeq(node) && /^\d+$/.test(seg)) {
      const item = node.items[Number(seg)] as Node | undefined
      if (item?.range === undefined || item.range === null) break
      found = item.range[0]
      node = item
    } else break
  }
  if (found === undefined) return undefined
  const { line, col } = lines.linePos(found)
  return { line, column: col }
}

/** `kind: List` (v1) or any `*List` kind with items, as kubectl get -o yaml writes them. */
function isList(v: unknown): v is { items: unknown[] } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const o = v as Record<string, unknown>
  return typeof o['kind'] === 'string' && o['kind'].endsWith('List') && Array.isArray(o['items'])
}

/** Reads and parses every file behind `paths`; stdin at most once. */
export async function loadDocuments(
  paths: readonly string[],
  io: { cwd: string; stdin: Readable },
  from = 'PATH',
): Promise<{ docs: SourceDoc[]; files: number }> {
  const files = await expandPaths(paths, io.cwd, from)
  if (files.filter((f) => f === '-').length > 1) throw new WfeError('WFE_ERR_USAGE', '- (stdin) may be given only once')
  const docs: SourceDoc[] = []
  for (const f of files) {
    const shown = displayPath(f, io.cwd)
    let text: string
    try {
      text = await readText(f, io.stdin, undefined, from)
    } catch (err) {
      throw new WfeError('WFE_ERR_INPUT', err instanceof Error ? err.message.replace(`"${f}"`, `"${shown}"`) : String(err))
    }
    docs.push(...parseDocuments(shown, text))
  }
  return { docs, files: files.length }
}
