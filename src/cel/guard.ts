// Cost guards that need the parsed expression: every matches() call must take a short string
// literal that compiles as RE2, and is then re-pointed at BOUNDED_MATCHES. cel-js will not let an
// environment replace its own `string.matches` (a backtracking RegExp), so the call is renamed in
// the source instead, and the rewrite is re-parsed and verified before it is used.
import type { ASTNode } from '@marcbachmann/cel-js'
import { compilePattern, MAX_REGEX_PATTERN_LENGTH } from './regex.js'

/** The registered, input-bounded twin of `string.matches(string)`. */
export const BOUNDED_MATCHES = 'matchesBounded'

const REGEX_CALLS: ReadonlySet<string> = new Set(['matches', BOUNDED_MATCHES])

interface RegexCall {
  name: string
  /** Offset of the method name in the expression text. */
  at: number
}

function isNode(v: unknown): v is ASTNode {
  return v !== null && typeof v === 'object' && 'op' in v && 'args' in v
}

function children(node: ASTNode): ASTNode[] {
  if (node.op === 'value' || node.op === 'id') return []
  const out: ASTNode[] = []
  const visit = (v: unknown): void => {
    if (isNode(v)) out.push(v)
    else if (Array.isArray(v)) v.forEach(visit)
  }
  visit(node.args)
  return out
}

/**
 * Finds every matches() call; throws a one-line message for the first one whose pattern is not a
 * string literal, is too long or is not valid RE2.
 */
export function regexCalls(root: ASTNode): RegexCall[] {
  const found: RegexCall[] = []
  const stack: ASTNode[] = [root]
  while (stack.length > 0) {
    const node = stack.pop() as ASTNode
    stack.push(...children(node))
    if (node.op !== 'rcall' || !REGEX_CALLS.has(node.args[0])) continue
    const [name, receiver, args] = node.args
    const pattern = args[0]
    const where = `matches() at character ${node.range.start + 1}`
    if (args.length !== 1 || pattern === undefined) throw new Error(`${where}: takes exactly one pattern`)
    if (pattern.op !== 'value' || typeof pattern.args !== 'string') {
      throw new Error(`${where}: the pattern must be a string literal, not an expression, so it can be checked before any request`)
    }
    if (pattern.args.length > MAX_REGEX_PATTERN_LENGTH) {
      throw new Error(`${where}: the pattern is ${pattern.args.length} characters, more than the ${MAX_REGEX_PATTERN_LENGTH} allowed`)
    }
    try {
      compilePattern(pattern.args)
    } catch (err) {
      throw new Error(`${where}: ${err instanceof Error ? err.message.replace(/^matches\(\): /, '') : String(err)}`, { cause: err })
    }
    // Between the receiver and the pattern there is only `.`, the name, `(`, spaces and parens.
    const between = node.input.slice(receiver.range.end, pattern.range.start)
    const offset = between.lastIndexOf(name)
    if (offset < 0) throw new Error(`${where}: could not locate the call to guard it`)
    found.push({ name, at: receiver.range.end + offset })
  }
  return found
}

/** The expression with each `matches(` call renamed to the bounded implementation. */
export function rewriteRegexCalls(expression: string, calls: readonly RegexCall[]): string {
  let out = expression
  for (const c of [...calls].sort((a, b) => b.at - a.at)) {
    if (c.name === BOUNDED_MATCHES) continue
    out = out.slice(0, c.at) + BOUNDED_MATCHES + out.slice(c.at + c.name.length)
  }
  return out
}

/** CEL's comprehension macros: each walks a list or map once per evaluation of its receiver. */
const COMPREHENSIONS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

/**
 * Comprehensions nested in one another multiply: three levels over a 2,000-key map are 8 billion
 * steps. Allowing one level keeps a rule's cost linear in the size of the object, which the 28 MiB
 * body limit bounds, without a runtime cost counter on the hot path.
 */
export const MAX_COMPREHENSION_NESTING = 1

/** The deepest nesting of comprehension macros in the expression. */
export function comprehensionNesting(root: ASTNode): number {
  let deepest = 0
  const stack: [ASTNode, number][] = [[root, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [ASTNode, number]
    const here = node.op === 'rcall' && COMPREHENSIONS.has(node.args[0]) ? depth + 1 : depth
    if (here > deepest) deepest = here
    for (const child of children(node)) stack.push([child, here])
  }
  return deepest
}
