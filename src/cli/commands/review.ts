// `wfe-admission review [FILE|-]`: one AdmissionReview in, the response the server would give out.
// Exit 0 allowed, 1 denied, 2 unusable input.
import { CORE_FLAGS, type FlagSpec } from '../../config.js'
import { parseFlags, usage } from '../args.js'
import { policyFromFlags } from '../policy-flags.js'
import { readText } from '../read-input.js'
import { EXIT_DENIED, EXIT_OK, EXIT_USAGE, type Command } from '../io.js'
import { decodeReview, encodeReview } from '../../admission/review.js'
import { admit } from '../../admission/admit.js'
import type { WebhookKind } from '../../admission/types.js'

export const REVIEW_FLAGS: readonly FlagSpec[] = [
  ...CORE_FLAGS,
  { name: 'webhook', type: 'string', default: 'both', commands: ['review'], description: 'validate, mutate, or both (mutate then validate, as the apiserver does)' },
]

export const review: Command = async (argv, io) => {
  const { values, positionals } = parseFlags(argv, REVIEW_FLAGS, io.env)
  if (values['help'] === true) {
    io.stdout.write(usage('review [flags] [FILE|-]', 'Reads one AdmissionReview request (JSON) and prints the AdmissionReview response.', REVIEW_FLAGS))
    return EXIT_OK
  }
  const webhook = String(values['webhook'])
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
  const text = await readText(source, io.stdin)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    io.stderr.write(`wfe-admission review: ${source === '-' ? 'stdin' : source}: not JSON: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT_USAGE
  }
  const decoded = decodeReview(body)
  if (!decoded.ok) {
    io.stderr.write(`wfe-admission review: ${source === '-' ? 'stdin' : source}: not an AdmissionReview request: ${decoded.message}\n`)
    return EXIT_USAGE
  }
  const result = admit(decoded.request, policy, webhook as WebhookKind)
  io.stdout.write(JSON.stringify(encodeReview(decoded.apiVersion, result.response), null, 2) + '\n')
  if (result.response.allowed) return EXIT_OK
  const code = result.response.status?.code ?? 403
  return code === 400 ? EXIT_USAGE : EXIT_DENIED
}
