// Builds a kustomization with the real kubectl (offline: every resource is a local file) and hands
// the tests plain objects. Not a test file; the *.test.ts files next to it import it.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { KUBECTL, resolveTool } from '../helpers/tools.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  // Manifests are untyped YAML; each test narrows what it reads.
  [key: string]: any
}

const run = promisify(execFile)

/** $WFE_KUBECTL, the pinned build, or kubectl on PATH; with none, an error of one line saying how to get one. */
export function kubectlBinary(): string {
  try {
    return resolveTool(KUBECTL)
  } catch (err) {
    // The message is the whole story; a stack trace would bury it.
    if (err instanceof Error) err.stack = err.message
    throw err
  }
}

/** `kubectl kustomize <dir>` (relative to the repository root), parsed. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(kubectlBinary(), ['kustomize', dir], { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 })
  const objects: K8sObject[] = []
  for (const doc of parseAllDocuments(stdout)) {
    if (doc.errors[0] !== undefined) throw doc.errors[0]
    const value = doc.toJS() as K8sObject | null
    if (value !== null) objects.push(value)
  }
  return objects
}

/** The one object of that kind (and name); throws naming what was there instead. */
export function one(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name))
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    )
  }
  return found[0] as K8sObject
}
