// Certificate issuance for the dev path and the built-in Kubernetes path: a CA, a serving pair and
// optionally a client pair, EC P-256, all as PEM. The issue* functions are pure (no files), so tests
// can mint expired certificates and foreign CAs; generateCertificates() writes them to a directory.
import 'reflect-metadata'
import { webcrypto, createPrivateKey } from 'node:crypto'
import { mkdir, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

x509.cryptoProvider.set(webcrypto)

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const
const DAY_MS = 24 * 60 * 60 * 1000
// Backdated so a cluster whose clock lags ours by a few minutes still accepts a fresh certificate.
const CLOCK_SKEW_MS = 5 * 60 * 1000

/** A certificate and its PKCS#8 private key, both PEM. */
export interface PemPair {
  cert: string
  key: string
}

export interface IssueCaOptions {
  commonName?: string
  notBefore?: Date
  notAfter?: Date
}

export interface IssueLeafOptions {
  ca: PemPair
  commonName: string
  /** Organization (O=): Kubernetes reads it as the client certificate's groups. */
  organization?: string
  dnsNames?: readonly string[]
  ips?: readonly string[]
  notBefore?: Date
  notAfter?: Date
  usage: 'server' | 'client'
}

export interface GenerateOptions {
  outDir: string
  /** Service name; adds NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local. */
  service?: string
  namespace?: string
  /** Validity of the serving (and client) certificate; the CA gets ten times as long. */
  days: number
  /** Common name of a client certificate to issue too (client.crt, client.key). */
  client?: string
  /** An existing CA to sign with instead of issuing a new one. */
  ca?: PemPair
}

export interface GeneratedCertificates {
  ca: PemPair
  serving: PemPair
  client?: PemPair
  /** Absolute or outDir-relative paths of every file written. */
  files: string[]
}

export const LOOPBACK_DNS_NAMES: readonly string[] = ['localhost']
export const LOOPBACK_IPS: readonly string[] = ['127.0.0.1', '::1']

/** The SANs of the serving certificate: loopback always, the Service's DNS names when given. */
export function servingNames(service?: string, namespace = 'default'): { dnsNames: string[]; ips: string[] } {
  const dnsNames = [...LOOPBACK_DNS_NAMES]
  if (service !== undefined && service !== '') {
    const base = `${service}.${namespace}`
    // The bare Service name too: a client in the same namespace reaches it by that name alone.
    dnsNames.push(service, base, `${base}.svc`, `${base}.svc.cluster.local`)
  }
  return { dnsNames, ips: [...LOOPBACK_IPS] }
}

function window(notBefore: Date | undefined, notAfter: Date | undefined, days: number): { notBefore: Date; notAfter: Date } {
  const from = notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS)
  return { notBefore: from, notAfter: notAfter ?? new Date(Date.now() + days * DAY_MS) }
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']))
}

// PEM files end with a newline (as openssl writes them), so bundles can be built with plain `cat`.
function terminated(pem: string): string {
  return pem.endsWith('\n') ? pem : pem + '\n'
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key)
  return terminated(x509.PemConverter.encode(der, 'PRIVATE KEY'))
}

async function importSigningKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' })
  return webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign'])
}

/** A self-signed CA: basicConstraints CA:true (critical), keyUsage keyCertSign + cRLSign. */
export async function issueCa(options: IssueCaOptions = {}): Promise<PemPair> {
  const keys = await newKeyPair()
  const { notBefore, notAfter } = window(options.notBefore, options.notAfter, 3650)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${options.commonName ?? 'wfe-admission-ca'}`,
    keys,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return { cert: terminated(cert.toString('pem')), key: await keyPem(keys.privateKey) }
}

/** A leaf signed by `ca`: serverAuth or clientAuth EKU, keyUsage digitalSignature, the given SANs. */
export async function issueLeaf(options: IssueLeafOptions): Promise<PemPair> {
  const caCert = new x509.X509Certificate(options.ca.cert)
  const signingKey = await importSigningKey(options.ca.key)
  const keys = await newKeyPair()
  const { notBefore, notAfter } = window(options.notBefore, options.notAfter, 365)
  const names: x509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ]
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ]
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names))
  const cert = await x509.X509CertificateGenerator.create({
    subject: options.organization === undefined ? `CN=${options.commonName}` : `CN=${options.commonName}, O=${options.organization}`,
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    extensions,
  })
  return { cert: terminated(cert.toString('pem')), key: await keyPem(keys.privateKey) }
}

/** CA, serving pair and optional client pair, as PEM, without touching the disk. */
export async function issueCertificates(options: Omit<GenerateOptions, 'outDir'>): Promise<Omit<GeneratedCertificates, 'files'>> {
  const days = options.days
  const ca = options.ca ?? (await issueCa({ notAfter: new Date(Date.now() + days * 10 * DAY_MS) }))
  const { dnsNames, ips } = servingNames(options.service, options.namespace)
  const notAfter = new Date(Date.now() + days * DAY_MS)
  const commonName = options.service !== undefined && options.service !== '' ? `${options.service}.${options.namespace ?? 'default'}.svc` : 'localhost'
  const serving = await issueLeaf({ ca, commonName, dnsNames, ips, notAfter, usage: 'server' })
  if (options.client === undefined) return { ca, serving }
  const client = await issueLeaf({ ca, commonName: options.client, notAfter, usage: 'client' })
  return { ca, serving, client }
}

async function writePem(path: string, pem: string, secret: boolean): Promise<void> {
  const mode = secret ? 0o600 : 0o644
  await writeFile(path, pem, { mode })
  // writeFile's mode only applies when it creates the file; an existing key must still end up 0600.
  await chmod(path, mode)
}

/** Issues and writes ca.crt, ca.key, tls.crt, tls.key (and client.crt, client.key) into outDir. */
export async function generateCertificates(options: GenerateOptions): Promise<GeneratedCertificates> {
  return writeCertificates(options.outDir, await issueCertificates(options))
}

/** Writes issued material into outDir: keys 0600, certificates 0644. */
export async function writeCertificates(outDir: string, issued: Omit<GeneratedCertificates, 'files'>): Promise<GeneratedCertificates> {
  await mkdir(outDir, { recursive: true })
  const entries: [string, string, boolean][] = [
    ['ca.crt', issued.ca.cert, false],
    ['ca.key', issued.ca.key, true],
    ['tls.crt', issued.serving.cert, false],
    ['tls.key', issued.serving.key, true],
  ]
  if (issued.client !== undefined) entries.push(['client.crt', issued.client.cert, false], ['client.key', issued.client.key, true])
  const files: string[] = []
  for (const [name, pem, secret] of entries) {
    const path = join(outDir, name)
    await writePem(path, pem, secret)
    files.push(path)
  }
  return { ...issued, files }
}
