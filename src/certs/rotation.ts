// What `certs --in-cluster` (the chart's tls.mode hook) keeps and what it renews, decided from what
// the Secrets hold now: pure, so every branch is tested without a cluster. Reusing valid material is
// what makes the Job idempotent on upgrade; renewing before expiry, with the old CA left in the
// bundle until it expires, is what lets the CronJob rotate certificates with no outage or reinstall.
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { issueCa, issueLeaf, servingNames, type PemPair } from './generate.js'

const DAY_MS = 24 * 60 * 60 * 1000
// Backdated like `certs` does, so a node whose clock runs a little behind still accepts the pair.
const CLOCK_SKEW_MS = 5 * 60 * 1000
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g

export interface StoredCerts {
  /** The CA pair (the CA Secret's tls.crt/tls.key). */
  ca?: PemPair
  /** The serving pair (the serving Secret's tls.crt/tls.key). */
  serving?: PemPair
  /** The trusted bundle last written (the serving Secret's ca.crt): the CA, maybe with its predecessor. */
  bundle?: string
}

export interface RotationOptions {
  service: string
  namespace: string
  /** Validity of a new serving certificate; a new CA gets ten times as long. */
  days: number
  /** Renew whatever expires within this many days (the CA: within days + this). */
  renewBeforeDays: number
  now: Date
}

export interface RotationPlan {
  ca: PemPair
  serving: PemPair
  /** PEM: the current CA first, then any predecessor still valid (so its leaves keep verifying). */
  bundle: string
  caRenewed: boolean
  servingRenewed: boolean
  /** Why each renewal happened, for the Job's log. */
  reasons: string[]
}

function parse(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem)
  } catch {
    return undefined
  }
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem))
  } catch {
    return false
  }
}

const remainingMs = (cert: X509Certificate, now: Date): number => new Date(cert.validTo).getTime() - now.getTime()
const date = (cert: X509Certificate): string => new Date(cert.validTo).toISOString()

/** Why the stored CA cannot be kept, or undefined when it can. */
export function caProblem(ca: PemPair | undefined, o: RotationOptions): string | undefined {
  if (ca === undefined) return 'no CA stored yet'
  const x = parse(ca.cert)
  if (x === undefined) return 'the stored CA is not a PEM certificate'
  if (!x.ca) return 'the stored CA certificate is not a CA'
  if (!keyMatches(x, ca.key)) return 'the stored CA key does not match its certificate'
  if (remainingMs(x, o.now) < (o.days + o.renewBeforeDays) * DAY_MS) {
    return `the CA expires ${date(x)}, sooner than a new serving certificate would plus ${o.renewBeforeDays} days`
  }
  return undefined
}

/** Why the stored serving pair cannot be kept under `ca`, or undefined when it can. */
export function servingProblem(serving: PemPair | undefined, ca: PemPair, o: RotationOptions): string | undefined {
  if (serving === undefined) return 'no serving certificate stored yet'
  const x = parse(serving.cert)
  if (x === undefined) return 'the stored serving certificate is not PEM'
  if (!keyMatches(x, serving.key)) return 'the stored serving key does not match its certificate'
  const caX = new X509Certificate(ca.cert)
  if (!x.checkIssued(caX) || !x.verify(caX.publicKey)) return 'the serving certificate is not signed by the current CA'
  const sans = new Set((x.subjectAltName ?? '').split(/,\s*/).map((s) => s.replace(/^DNS:/, '')))
  const missing = servingNames(o.service, o.namespace).dnsNames.filter((n) => !sans.has(n))
  if (missing.length > 0) return `the serving certificate does not name ${missing.join(', ')}`
  if (remainingMs(x, o.now) < o.renewBeforeDays * DAY_MS) return `the serving certificate expires ${date(x)}, within ${o.renewBeforeDays} days`
  return undefined
}

/** The CAs of `bundle` other than `current` that are still valid at `now`, each once. */
function predecessors(bundle: string | undefined, current: X509Certificate, now: Date): string[] {
  const seen = new Set([current.fingerprint256])
  return (bundle?.match(PEM_CERT) ?? []).filter((pem) => {
    const x = parse(pem)
    if (x === undefined || !x.ca || seen.has(x.fingerprint256) || remainingMs(x, now) <= 0) return false
    seen.add(x.fingerprint256)
    return true
  }).map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`))
}

export async function planRotation(stored: StoredCerts, o: RotationOptions): Promise<RotationPlan> {
  const reasons: string[] = []
  const caWhy = caProblem(stored.ca, o)
  let ca = stored.ca as PemPair
  if (caWhy !== undefined) {
    reasons.push(`new CA: ${caWhy}`)
    ca = await issueCa({ notBefore: new Date(o.now.getTime() - CLOCK_SKEW_MS), notAfter: new Date(o.now.getTime() + o.days * 10 * DAY_MS) })
  }
  const caX = new X509Certificate(ca.cert)
  // A replaced CA that is still valid stays trusted: pods keep serving leaves it signed until the
  // new Secret reaches their volume.
  const previous = caWhy !== undefined && stored.ca !== undefined ? [stored.ca.cert, stored.bundle ?? ''].join('\n') : stored.bundle
  const bundle = [ca.cert.endsWith('\n') ? ca.cert : `${ca.cert}\n`, ...predecessors(previous, caX, o.now)].join('')

  const servingWhy = servingProblem(stored.serving, ca, o)
  let serving = stored.serving as PemPair
  if (servingWhy !== undefined) {
    reasons.push(`new serving certificate: ${servingWhy}`)
    const { dnsNames } = servingNames(o.service, o.namespace)
    serving = await issueLeaf({ ca, commonName: `${o.service}.${o.namespace}.svc`, dnsNames, notBefore: new Date(o.now.getTime() - CLOCK_SKEW_MS), notAfter: new Date(o.now.getTime() + o.days * DAY_MS), usage: 'server' })
  }
  return { ca, serving, bundle, caRenewed: caWhy !== undefined, servingRenewed: servingWhy !== undefined, reasons }
}
