// Runs the pinned helm on charts/wfe-admission and hands the tests plain objects. Not a test file.
import { execFile } from 'node:child_process'
import { parseAllDocuments } from 'yaml'
import { HELM, ROOT, resolveTool } from '../helpers/tools.js'

export const CHART = 'charts/wfe-admission'
export const NS = 'kubernaut-system'
const helmPath = resolveTool(HELM)

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  // Rendered YAML is untyped; each test narrows what it reads.
  [key: string]: any
}

export interface HelmRun {
  code: number
  stdout: string
  stderr: string
}

export function helm(args: readonly string[]): Promise<HelmRun> {
  return new Promise((resolve) => {
    execFile(helmPath, args, { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1
      resolve({ code, stdout, stderr })
    })
  })
}

const setArgs = (set: Record<string, string | number | boolean | null>): string[] =>
  Object.entries(set).flatMap(([k, v]) => [typeof v === 'string' ? '--set-string' : '--set', `${k}=${String(v)}`])

/** `helm template` with these values; throws with helm's stderr when it refuses. */
export async function template(
  set: Record<string, string | number | boolean | null> = {},
  extra: readonly string[] = [],
): Promise<K8sObject[]> {
  const run = await helm(['template', 'wfe-admission', CHART, '--namespace', NS, ...setArgs(set), ...extra])
  if (run.code !== 0) throw new Error(run.stderr.trim())
  const objects: K8sObject[] = []
  for (const doc of parseAllDocuments(run.stdout)) {
    if (doc.errors[0] !== undefined) throw doc.errors[0]
    const value = doc.toJS() as K8sObject | null
    if (value !== null) objects.push(value)
  }
  return objects
}

/** helm's refusal (stderr) of these values; throws when helm accepts them. */
export async function refusal(set: Record<string, string | number | boolean | null>): Promise<string> {
  const run = await helm(['template', 'wfe-admission', CHART, '--namespace', NS, ...setArgs(set)])
  if (run.code === 0) throw new Error(`helm accepted ${JSON.stringify(set)}`)
  return run.stderr
}

export { one } from '../manifests/kustomize.js'

export const TEST_CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBdTCCARugAwIBAgIUTEST\n-----END CERTIFICATE-----\n'
