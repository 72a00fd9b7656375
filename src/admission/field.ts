// Field errors in the shape of k8s.io/apimachinery/pkg/util/validation/field: a path, a type with a
// fixed text, the bad value when the type shows one, and a detail. The rule id that produced one is
// not the constructor's to give: the core stamps it (admit.ts), so a call site cannot misattribute it.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueDuplicate'
  | 'InternalError'

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueDuplicate: 'Duplicate value',
  InternalError: 'Internal error',
}

const SHOWS_VALUE: ReadonlySet<FieldErrorType> = new Set(['FieldValueInvalid', 'FieldValueNotSupported', 'FieldValueDuplicate'])

export interface FieldError {
  type: FieldErrorType
  field: string
  value?: unknown
  detail: string
}

/**
 * A warning: a path and a sentence (the core stamps the rule that said it). The client sees
 * `field: detail`, as the apiserver shows an admission warning.
 */
export interface FieldWarning {
  field: string
  detail: string
}

/** An immutable field path: `spec.parameters[KEY]`, `status.conditions[0].status`. */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name: string, ...more: string[]): FieldPath {
    return more.reduce((p, m) => p.child(m), new FieldPath(name))
  }
  child(name: string, ...more: string[]): FieldPath {
    const first = new FieldPath(this.text === '' ? name : `${this.text}.${name}`)
    return more.reduce((p, m) => p.child(m), first)
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`)
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`)
  }
  toString(): string {
    return this.text
  }
}

type Path = FieldPath | string

export function required(field: Path, detail = ''): FieldError {
  return make('FieldValueRequired', field, undefined, detail)
}

export function invalid(field: Path, value: unknown, detail: string): FieldError {
  return make('FieldValueInvalid', field, value, detail)
}

export function notSupported(field: Path, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : ''
  return make('FieldValueNotSupported', field, value, detail)
}

export function forbidden(field: Path, detail: string): FieldError {
  return make('FieldValueForbidden', field, undefined, detail)
}

export function tooLong(field: Path, maxLength: number): FieldError {
  return make('FieldValueTooLong', field, undefined, `may not be more than ${maxLength} bytes`)
}

export function duplicate(field: Path, value: unknown): FieldError {
  return make('FieldValueDuplicate', field, value, '')
}

export function internal(field: Path, err: unknown): FieldError {
  return make('InternalError', field, undefined, err instanceof Error ? err.message : String(err))
}

export function warning(field: Path, detail: string): FieldWarning {
  return { field: String(field), detail }
}

function make(type: FieldErrorType, field: Path, value: unknown, detail: string): FieldError {
  const e: FieldError = { type, field: String(field), detail }
  if (SHOWS_VALUE.has(type)) e.value = value
  return e
}

/** Go's %#v-like rendering used by apimachinery: strings quoted, scalars bare, the rest JSON. */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  try {
    // Keys sorted, as Go prints maps, so a message never depends on the sender's key order.
    return (
      JSON.stringify(value, (_k, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
          : v,
      ) ?? String(value)
    )
  } catch {
    return String(value)
  }
}

/** The body of an error without its field: `Invalid value: "x": must be …`. */
export function errorBody(e: FieldError): string {
  let s = TYPE_TEXT[e.type]
  if (SHOWS_VALUE.has(e.type)) s += `: ${renderValue(e.value)}`
  if (e.detail !== '') s += `: ${e.detail}`
  return s
}

/** `spec.targetResource: Invalid value: "x": must be namespace/kind/name or kind/name`. */
export function errorString(e: FieldError): string {
  return e.field === '' ? errorBody(e) : `${e.field}: ${errorBody(e)}`
}

/** `spec.executionConfig.timeout: defaulted to "30m" (no timeout was set)`. */
export function warningString(w: FieldWarning): string {
  return w.field === '' ? w.detail : `${w.field}: ${w.detail}`
}

/** apimachinery's aggregate: duplicates dropped, one error bare, several as `[a, b]`. */
export function aggregate(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map(errorString))]
  if (messages.length === 1) return messages[0] as string
  return `[${messages.join(', ')}]`
}

/** metav1.StatusCause entries, one per error. */
export function causes(errors: readonly FieldError[]): { type: string; field: string; message: string }[] {
  return errors.map((e) => ({ type: e.type, field: e.field, message: errorBody(e) }))
}
