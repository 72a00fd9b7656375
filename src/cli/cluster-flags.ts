// The flags of `blocks` and `clear`, the commands that talk to a cluster as the person running them
// (kubeconfig, context, namespace and impersonation as kubectl has them).
import { DEFAULT_ADMISSION_OPTIONS } from '../config.js'
import type { FlagSpec, FlagValues } from './flags.js'

const BOTH = ['blocks', 'clear'] as const

const CONNECTION = [
  {
    name: 'kubeconfig',
    type: 'string',
    commands: BOTH,
    description: 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, as kubectl)',
  },
  { name: 'context', type: 'string', commands: BOTH, description: 'kubeconfig context to use (default: its current-context)' },
  {
    name: 'namespace',
    short: 'n',
    type: 'string',
    commands: BOTH,
    description: "namespace of the WorkflowExecutions (default: the context's namespace, else default)",
  },
  { name: 'as', type: 'string', commands: BOTH, description: 'act as this user (impersonation, as kubectl --as)' },
  {
    name: 'as-group',
    type: 'string',
    multiple: true,
    commands: BOTH,
    description: 'act as a member of this group (repeatable, as kubectl --as-group)',
  },
  {
    name: 'request-timeout',
    type: 'string',
    default: '30s',
    commands: BOTH,
    description: 'longest wait for one answer from the apiserver (Go duration)',
  },
] as const satisfies readonly FlagSpec[]

export const BLOCKS_FLAGS = [
  ...CONNECTION,
  { name: 'all-namespaces', short: 'A', type: 'boolean', default: false, commands: ['blocks'], description: 'list every namespace' },
  { name: 'output', short: 'o', type: 'string', default: '', commands: ['blocks'], description: 'wide, json or yaml (default: a table)' },
  {
    name: 'all',
    type: 'boolean',
    default: false,
    commands: ['blocks'],
    description: 'also list cleared execution failures, with who cleared them, when and why',
  },
] as const satisfies readonly FlagSpec[]

export const CLEAR_FLAGS = [
  ...CONNECTION,
  {
    name: 'reason',
    type: 'string',
    commands: ['clear'],
    description: 'why the block can be lifted: what you investigated and found (checked against the reason rules before sending)',
  },
  {
    name: 'min-clear-reason-words',
    type: 'number',
    env: 'WFE_MIN_CLEAR_REASON_WORDS',
    default: DEFAULT_ADMISSION_OPTIONS.minClearReasonWords,
    commands: ['clear'],
    description: "fewest words a reason may have: set it to the server's --min-clear-reason-words",
  },
] as const satisfies readonly FlagSpec[]

/** How `blocks` and `clear` reach the cluster: the connection flags, typed from their rows. */
export type ConnectionFlagValues = FlagValues<typeof CONNECTION>
