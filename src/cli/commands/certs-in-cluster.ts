// `wfe-admission certs --in-cluster`: the Helm chart's tls.mode hook (src/certs/in-cluster.ts).
// A cluster can be passed in for tests; otherwise --kubeconfig or the pod's in-cluster config.
import { EXIT_OK, EXIT_USAGE, type CliIO } from '../io.js'
import { WfeError } from '../../errors.js'
import type { CertsFlagValues } from '../flags.js'
import { kubernetesCertsCluster, syncClusterCerts, type CertsCluster } from '../../certs/in-cluster.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/
const MAX_DAYS = 3650
const EXIT_FAILED = 1

function invalid(values: CertsFlagValues, positionals: string[]): string | undefined {
  if (positionals.length > 0) return `unexpected argument "${positionals[0] ?? ''}"`
  if (values['inject'] !== undefined) return '--inject writes manifests on disk; --in-cluster writes through the API: pass one of them'
  const service = values['service']
  if (service === undefined) return '--in-cluster needs --service (and --namespace): the serving certificate names the Service'
  for (const [flag, v] of [
    ['service', service],
    ['namespace', values['namespace']],
  ] as const) {
    if (v.length > 63 || !DNS_LABEL.test(v))
      return `--${flag}: invalid value "${v}": must be a DNS-1123 label (lowercase letters, digits and '-', at most 63)`
  }
  for (const flag of ['secret', 'ca-secret', 'webhook-configuration'] as const) {
    const v = values[flag]
    if (v.length > 253 || !DNS_SUBDOMAIN.test(v)) return `--${flag}: invalid value "${v}": must be a DNS-1123 subdomain`
  }
  if (values['secret'] === values['ca-secret'])
    return '--ca-secret: must differ from --secret: the CA key never goes into the Secret the pods mount'
  const days = values['days']
  if (!Number.isInteger(days) || days < 2 || days > MAX_DAYS)
    return `--days: invalid value "${days}": must be a whole number from 2 to ${MAX_DAYS}`
  const before = values['renew-before-days']
  if (!Number.isInteger(before) || before < 1 || before >= days)
    return `--renew-before-days: invalid value "${before}": must be a whole number from 1 to ${days - 1} (below --days)`
  return undefined
}

export async function certsInCluster(values: CertsFlagValues, positionals: string[], io: CliIO, cluster?: CertsCluster): Promise<number> {
  const problem = invalid(values, positionals)
  if (problem !== undefined) {
    io.stderr.write(`wfe-admission certs: ${problem}\n`)
    return EXIT_USAGE
  }
  const api = cluster ?? (await kubernetesCertsCluster(values['kubeconfig']))
  try {
    await sync(api, values, values['service'] ?? '', io)
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

async function sync(api: CertsCluster, values: CertsFlagValues, service: string, io: CliIO): Promise<void> {
  await syncClusterCerts(api, {
    service,
    namespace: values['namespace'],
    days: values['days'],
    renewBeforeDays: values['renew-before-days'],
    secret: values['secret'],
    caSecret: values['ca-secret'],
    webhookConfiguration: values['webhook-configuration'],
    allowMissingWebhooks: values['allow-missing-webhooks'],
    log: (line) => io.stdout.write(`${line}\n`),
  })
}
