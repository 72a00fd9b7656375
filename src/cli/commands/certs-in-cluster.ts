// `wfe-admission certs --in-cluster`: the Helm chart's tls.mode hook (src/certs/in-cluster.ts).
// A cluster can be passed in for tests; otherwise --kubeconfig or the pod's in-cluster config.
import { EXIT_OK, EXIT_USAGE, type CliIO } from '../io.js'
import { WfeError } from '../../errors.js'
import { kubernetesCertsCluster, syncClusterCerts, type CertsCluster } from '../../certs/in-cluster.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/
const MAX_DAYS = 3650
const EXIT_FAILED = 1

function invalid(values: Record<string, unknown>, positionals: string[]): string | undefined {
  if (positionals.length > 0) return `unexpected argument "${positionals[0] ?? ''}"`
  if (values['inject'] !== undefined) return '--inject writes manifests on disk; --in-cluster writes through the API: pass one of them'
  if (values['service'] === undefined) return '--in-cluster needs --service (and --namespace): the serving certificate names the Service'
  for (const flag of ['service', 'namespace'] as const) {
    const v = String(values[flag])
    if (v.length > 63 || !DNS_LABEL.test(v))
      return `--${flag}: invalid value "${v}": must be a DNS-1123 label (lowercase letters, digits and '-', at most 63)`
  }
  for (const flag of ['secret', 'ca-secret', 'webhook-configuration'] as const) {
    const v = String(values[flag])
    if (v.length > 253 || !DNS_SUBDOMAIN.test(v)) return `--${flag}: invalid value "${v}": must be a DNS-1123 subdomain`
  }
  if (values['secret'] === values['ca-secret'])
    return '--ca-secret: must differ from --secret: the CA key never goes into the Secret the pods mount'
  const days = values['days'] as number
  if (!Number.isInteger(days) || days < 2 || days > MAX_DAYS)
    return `--days: invalid value "${String(values['days'])}": must be a whole number from 2 to ${MAX_DAYS}`
  const before = values['renew-before-days'] as number
  if (!Number.isInteger(before) || before < 1 || before >= days)
    return `--renew-before-days: invalid value "${String(values['renew-before-days'])}": must be a whole number from 1 to ${days - 1} (below --days)`
  return undefined
}

export async function certsInCluster(
  values: Record<string, unknown>,
  positionals: string[],
  io: CliIO,
  cluster?: CertsCluster,
): Promise<number> {
  const problem = invalid(values, positionals)
  if (problem !== undefined) {
    io.stderr.write(`wfe-admission certs: ${problem}\n`)
    return EXIT_USAGE
  }
  const api = cluster ?? (await kubernetesCertsCluster(values['kubeconfig'] as string | undefined))
  try {
    await sync(api, values, io)
  } catch (err) {
    if (err instanceof WfeError) throw err
    // An API refusal (RBAC, a conflicting writer): one line for the Job's log; the Job retries.
    const code = (err as { code?: unknown }).code
    io.stderr.write(
      `wfe-admission certs: the Kubernetes API refused a call${typeof code === 'number' ? ` (HTTP ${code})` : ''}: ${apiMessage(err)}\n`,
    )
    return EXIT_FAILED
  }
  return EXIT_OK
}

/** The apiserver's own Status message when the error carries one (client-node's ApiException body). */
function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown }
      if (typeof status.message === 'string') return status.message
    } catch {
      // not a Status: fall through to the error's own first line
    }
  }
  return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)
}

async function sync(api: CertsCluster, values: Record<string, unknown>, io: CliIO): Promise<void> {
  await syncClusterCerts(api, {
    service: values['service'] as string,
    namespace: values['namespace'] as string,
    days: values['days'] as number,
    renewBeforeDays: values['renew-before-days'] as number,
    secret: values['secret'] as string,
    caSecret: values['ca-secret'] as string,
    webhookConfiguration: values['webhook-configuration'] as string,
    allowMissingWebhooks: values['allow-missing-webhooks'] === true,
    log: (line) => io.stdout.write(`${line}\n`),
  })
}
