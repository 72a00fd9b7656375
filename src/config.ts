// The admission core's options and their defaults, in one place, so that `serve`, `review` and
// `check` run identical rules. The command-line flags that set them (and every other flag) are in
// src/cli/flags.ts, which takes these defaults, and src/cli/policy-flags.ts validates their values;
// the server's own settings are in src/server/settings.ts.
import { DEFAULT_EXECUTION_TIMEOUT } from './api/workflowexecution.js'
import type { TargetBlockOptions } from './api/target-block.js'

/** What the pure core needs; the same for the server and the CLI. */
export interface AdmissionOptions {
  /** Default for spec.executionConfig.timeout on CREATE (Go duration). */
  defaultTimeout: string
  /** Fewest words a block-clearance reason may have. */
  minClearReasonWords: number
  /** Principals allowed to copy annotation attribution into status (clearMethod: Annotation). */
  trustedControllers: readonly string[]
  /** The clock; injected so the core stays pure and tests are exact. */
  now: () => Date
  /** The target-block rules (docs/blocks.md): mode, the injected block index, pre-execution backoff. */
  targetBlocks: TargetBlockOptions
}

/** Past this, a view whose watch broke is no longer trusted to refuse (docs/blocks.md, "While the watch is broken"). */
export const DEFAULT_MAX_STALENESS_MS = 5 * 60 * 1000

export const DEFAULT_TRUSTED_CONTROLLER = 'system:serviceaccount:kubernaut-system:workflowexecution-controller'

export const DEFAULT_ADMISSION_OPTIONS: AdmissionOptions = Object.freeze({
  defaultTimeout: DEFAULT_EXECUTION_TIMEOUT,
  minClearReasonWords: 5,
  trustedControllers: Object.freeze([DEFAULT_TRUSTED_CONTROLLER]),
  now: () => new Date(),
  targetBlocks: Object.freeze({ mode: 'deny', view: undefined, maxStalenessMs: DEFAULT_MAX_STALENESS_MS }),
})
