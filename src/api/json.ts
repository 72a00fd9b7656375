// What arrives is decoded JSON of unknown shape; this is the one test for "a JSON object".

/** A JSON object: not null, not an array. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}
