// Admission warnings as the apiserver will pass them on: it drops a warning that carries control
// characters (it cannot go into an HTTP Warning header) and shortens long ones, so every warning
// leaves here already safe. Warnings can quote user-controlled text (usernames, reasons).

/** The longest warning the apiserver passes on unshortened, in characters. */
export const MAX_WARNING_CHARS = 256

// C0/C1 controls and DEL (Go's unicode.IsControl), line and paragraph separators, lone surrogates.
const UNSAFE = /[\p{Cc}\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu

/** One line, no control characters, at most MAX_WARNING_CHARS characters (code points). */
export function sanitizeWarning(text: string): string {
  const clean = text.replace(UNSAFE, (c) => (c === '\n' || c === '\r' || c === '\t' || c === '\u2028' || c === '\u2029' ? ' ' : '\uFFFD'))
  const chars = [...clean]
  return chars.length <= MAX_WARNING_CHARS ? clean : `${chars.slice(0, MAX_WARNING_CHARS - 3).join('')}...`
}
