// `wfe-admission review [FILE|-]`: one AdmissionReview in, the response the server would give out.
// Exit 0 allowed, 1 denied, 2 unusable input.
import { parseAllDocuments } from 'yaml'
import { parseJson } from '../../api/lossless-json.js'
import { REVIEW_FLAGS } from '../flags.js'
import { parseFlags, usage } from '../args.js'
import { policyFromFlags } from '../policy-flags.js'
import { readText } from '../read-input.js'
import { EXIT_DENIED, EXIT_OK, EXIT_USAGE, type Command } from '../io.js'
import { decodeReview, encodeReview } from '../../admission/review.js'
import { admit } from '../../admission/admit.js'

export const review: Command = async (argv, io) => {
  const { values, positionals } = parseFlags(argv, REVIEW_FLAGS, io.env, 'review')
  if (values['help'] === true) {
    io.stdout.write(
      usage('review [flags] [FILE|-]', 'Reads one AdmissionReview request (JSON) and prints the AdmissionReview response.', REVIEW_FLAGS),
    )
    return EXIT_OK
  }
  const webhook = values['webhook']
  if (webhook !== 'validate' && webhook !== 'mutate' && webhook !== 'both') {
    io.stderr.write(`wfe-admission review: --webhook must be validate, mutate or both, got "${webhook}"\n`)
    return EXIT_USAGE
  }
  if (positionals.length > 1) {
    io.stderr.write('wfe-admission review: takes one FILE (or - for stdin)\n')
    return EXIT_USAGE
  }
  const policy = policyFromFlags(values, io.cwd)
  const source = positionals[0] ?? '-'
  const text = await readText(source, io.stdin, undefined, 'the FILE argument')
  const shown = source === '-' ? 'stdin' : source
  const toCheck = `review reads one AdmissionReview (JSON); to check manifests run: wfe-admission check ${source}`
  let body: unknown
  try {
    body = parseJson(text)
  } catch (err) {
    const manifest = looksLikeManifest(text)
    io.stderr.write(
      `wfe-admission review: ${shown}: not JSON${manifest ? ` but a YAML ${manifest}; ${toCheck}` : `: ${err instanceof Error ? err.message : String(err)}`}\n`,
    )
    return EXIT_USAGE
  }
  const decoded = decodeReview(body)
  if (!decoded.ok) {
    const manifest = looksLikeManifest(body)
    io.stderr.write(
      `wfe-admission review: ${shown}: not an AdmissionReview request: ${decoded.message}${manifest ? `; it is a ${manifest} manifest: ${toCheck}` : ''}\n`,
    )
    return EXIT_USAGE
  }
  const result = admit(decoded.request, policy, webhook)
  io.stdout.write(JSON.stringify(encodeReview(decoded.apiVersion, result.response), null, 2) + '\n')
  if (result.response.allowed) return EXIT_OK
  const code = result.response.status?.code ?? 403
  return code === 400 ? EXIT_USAGE : EXIT_DENIED
}

/** `kind` of a Kubernetes object given where an AdmissionReview was expected (text is parsed as YAML). */
function looksLikeManifest(input: unknown): string | undefined {
  let value = input
  if (typeof input === 'string') {
    try {
      const docs = parseAllDocuments(input)
      const first = Array.isArray(docs) ? docs[0] : undefined
      if (first === undefined || first.errors.length > 0) return undefined
      value = first.toJS({ maxAliasCount: 100 }) as unknown
    } catch {
      return undefined
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const o = value as Record<string, unknown>
  if (typeof o['apiVersion'] !== 'string' || typeof o['kind'] !== 'string' || o['kind'] === 'AdmissionReview') return undefined
  return o['kind']
}
