// Reading the patch a webhook answered with, for tests and the demo: the product only writes
// patches (src/admission/patch.ts), the apiserver is what applies them.
import { applyPatch, type Operation } from 'rfc6902'
import type { PatchOperation } from '../../src/admission/patch.js'

/** Applies `ops` to a deep copy of `doc`; throws when an operation does not apply. */
export function applyTo<T>(doc: T, ops: readonly PatchOperation[]): T {
  const copy = structuredClone(doc)
  const results = applyPatch(copy, ops as Operation[])
  const failure = results.find((r) => r !== null)
  if (failure) throw new Error(`patch does not apply: ${failure.name}: ${failure.message}`)
  return copy
}

export function decodePatch(base64: string): PatchOperation[] {
  return JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as PatchOperation[]
}
