// The demo's apiserver calls the webhooks the shipped manifests declare (manifests/base), with their
// names, paths, rules, timeouts and matchConditions, so what the transcript shows is what a cluster
// running those manifests would do, not what this file assumes.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Environment } from '@marcbachmann/cel-js'
import { parse } from 'yaml'
import type { AdmissionRequest } from '../src/admission/types.js'
import { GROUP, RESOURCE } from '../src/api/workflowexecution.js'

export interface MatchCondition {
  name: string
  expression: string
}

export interface WebhookEntry {
  name: string
  type: 'mutating' | 'validating'
  path: string
  timeoutSeconds: number
  rules: readonly { apiGroups: string[]; resources: string[]; operations: string[] }[]
  matchConditions: readonly MatchCondition[]
}

/** manifests/base, next to demo/ in a checkout (the demo runs from source with tsx; it is not built). */
export const MANIFESTS_DIR = fileURLToPath(new URL('../manifests/base/', import.meta.url))

const FILES = {
  mutating: 'mutatingwebhookconfiguration.yaml',
  validating: 'validatingwebhookconfiguration.yaml',
} as const

interface RawWebhook {
  name?: string
  timeoutSeconds?: number
  clientConfig?: { service?: { path?: string } }
  rules?: { apiGroups?: string[]; resources?: string[]; operations?: string[] }[]
  matchConditions?: MatchCondition[]
}

/** Mutating webhooks first, then validating ones, each in manifest order (the apiserver's order). */
export function loadWebhooks(dir: string = MANIFESTS_DIR): WebhookEntry[] {
  const out: WebhookEntry[] = []
  for (const type of ['mutating', 'validating'] as const) {
    const doc = parse(readFileSync(`${dir}/${FILES[type]}`, 'utf8')) as { webhooks?: RawWebhook[] }
    for (const w of doc.webhooks ?? []) {
      const path = w.clientConfig?.service?.path
      if (w.name === undefined || path === undefined) throw new Error(`${FILES[type]}: a webhook without a name or service path`)
      out.push({
        name: w.name,
        type,
        path,
        timeoutSeconds: w.timeoutSeconds ?? 10,
        rules: (w.rules ?? []).map((r) => ({ apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], operations: r.operations ?? [] })),
        matchConditions: w.matchConditions ?? [],
      })
    }
  }
  return out
}

function includes(list: readonly string[], value: string): boolean {
  return list.includes('*') || list.includes(value)
}

/** Whether a webhook's rules select the request (group, resource[/subresource], operation). */
export function ruleMatches(hook: WebhookEntry, request: AdmissionRequest): boolean {
  const resource = request.subResource === undefined || request.subResource === '' ? RESOURCE : `${RESOURCE}/${request.subResource}`
  return hook.rules.some(
    (r) => includes(r.apiGroups, GROUP) && includes(r.resources, resource) && includes(r.operations, request.operation),
  )
}

// Kubernetes binds object, oldObject and request (and authorizer, which these conditions do not use).
const env = new Environment().registerVariable('object', 'dyn').registerVariable('oldObject', 'dyn').registerVariable('request', 'dyn')

export type ConditionResult = { call: true } | { call: false; condition: string } | { error: string }

/** All conditions true: call. One false: skip. An evaluation error fails the request (failurePolicy Fail). */
export function evaluateConditions(hook: WebhookEntry, request: AdmissionRequest): ConditionResult {
  for (const c of hook.matchConditions) {
    let value: unknown
    try {
      value = env.evaluate(c.expression, { object: request.object ?? null, oldObject: request.oldObject ?? null, request })
    } catch (err) {
      return { error: `matchCondition ${c.name}: ${err instanceof Error ? err.message : String(err)}` }
    }
    if (value !== true) return { call: false, condition: c.name }
  }
  return { call: true }
}
