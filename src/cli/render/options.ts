// What a renderer may be told besides the report.
export interface RenderOptions {
  /** Warnings count as failures (JUnit failure, SARIF/GitHub error), matching the exit code. */
  warningsAsErrors: boolean
  /** Rule ids whose warnings stay warnings under --warnings-as-errors (--tolerate-warning). */
  toleratedWarnings?: ReadonlySet<string>
}
