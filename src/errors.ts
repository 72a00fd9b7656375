// Operational errors (start-up, configuration, CLI) with stable WFE_ERR_* codes. Admission
// verdicts are values (admission/field.ts), never these.

export type WfeErrorCode =
  | 'WFE_ERR_RULE_COMPILE'
  | 'WFE_ERR_POLICY_FILE'
  | 'WFE_ERR_CONFIG'
  | 'WFE_ERR_USAGE'
  | 'WFE_ERR_INPUT'
  | 'WFE_ERR_TLS'
  | 'WFE_ERR_CONNECT'
  | 'WFE_ERR_NOT_FOUND'

export class WfeError extends Error {
  readonly code: WfeErrorCode
  /** The flag to change (`--cert-dir`), when one is to blame: for callers that act on it, not on the wording. */
  readonly flag?: string
  constructor(code: WfeErrorCode, message: string, options?: { cause?: unknown; flag?: string }) {
    super(message, options)
    this.name = 'WfeError'
    this.code = code
    if (options?.flag !== undefined) this.flag = options.flag
  }
}
