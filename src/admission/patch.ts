// RFC 6902 JSON Patch between the received object and the mutated draft. rfc6902 emits the
// minimal operations, escapes `~` and `/` in keys, and adds a whole parent where one is missing.
import { applyPatch, createPatch, type Operation } from 'rfc6902'

export type PatchOperation = Operation

export function diff(before: unknown, after: unknown): PatchOperation[] {
  return createPatch(before, after)
}

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
