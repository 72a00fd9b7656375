// Reading and checking TLS material from disk, with no state: the file source decides what to do
// with the result. Every failure names the file, because that is what an operator has to fix.
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { createSecureContext as createTlsContext } from 'node:tls'
import { join } from 'node:path'

/** The raw bytes behind one serving state: the pair and, with client auth, the client CA bundle. */
export interface RawMaterial {
  cert: Buffer
  key: Buffer
  clientCa?: Buffer
}

/** Material that passed every check. */
export interface CheckedMaterial extends RawMaterial {
  notAfter: Date
  fingerprint256: string
  /** Each certificate of the client CA bundle as its own PEM, whatever separated them in the file. */
  clientCaCerts?: string[]
}

export interface MaterialPaths {
  certFile: string
  keyFile: string
  clientCaFile?: string
}

/** What is wrong with one file of the material; the CLI picks the flag to blame and the fix from it. */
export type MaterialProblem = 'unreadable' | 'not-a-certificate' | 'not-a-key' | 'key-mismatch' | 'expired' | 'no-certificate' | 'rejected'

/**
 * A failure of one file, as fields (which file, what is wrong, the errno when it could not be read)
 * and as the sentence operators read in logs: `<path>: <detail>`.
 */
export class MaterialError extends Error {
  constructor(
    readonly path: string,
    readonly problem: MaterialProblem,
    readonly detail: string,
    options?: { cause?: unknown; errno?: string },
  ) {
    super(`${path}: ${detail}`, options)
    this.name = 'MaterialError'
    if (options?.errno !== undefined) this.errno = options.errno
  }
  readonly errno?: string
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function unreadable(path: string, err: unknown): MaterialError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return new MaterialError(path, 'unreadable', `cannot read: ${reason(err)}`, {
    cause: err,
    ...(code === undefined ? {} : { errno: code }),
  })
}

export function materialPaths(certDir: string, clientCaFile?: string): MaterialPaths {
  const paths: MaterialPaths = { certFile: join(certDir, 'tls.crt'), keyFile: join(certDir, 'tls.key') }
  if (clientCaFile !== undefined) paths.clientCaFile = clientCaFile
  return paths
}

function readOne(path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw unreadable(path, err)
  }
}

async function readOneAsync(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    throw unreadable(path, err)
  }
}

export function readMaterialSync(paths: MaterialPaths): RawMaterial {
  const raw: RawMaterial = { cert: readOne(paths.certFile), key: readOne(paths.keyFile) }
  if (paths.clientCaFile !== undefined) raw.clientCa = readOne(paths.clientCaFile)
  return raw
}

export async function readMaterial(paths: MaterialPaths): Promise<RawMaterial> {
  const [cert, key, clientCa] = await Promise.all([
    readOneAsync(paths.certFile),
    readOneAsync(paths.keyFile),
    paths.clientCaFile === undefined ? undefined : readOneAsync(paths.clientCaFile),
  ])
  const raw: RawMaterial = { cert, key }
  if (clientCa !== undefined) raw.clientCa = clientCa
  return raw
}

export function sameMaterial(a: RawMaterial | undefined, b: RawMaterial): boolean {
  if (a === undefined) return false
  const caA = a.clientCa ?? Buffer.alloc(0)
  const caB = b.clientCa ?? Buffer.alloc(0)
  return a.cert.equals(b.cert) && a.key.equals(b.key) && caA.equals(caB)
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g

/**
 * Splits and parses a CA bundle; at least one certificate must be in it. Handing OpenSSL the blocks
 * one by one means a bundle concatenated without newlines still loads every certificate.
 */
function checkClientCa(pem: Buffer, path: string): string[] {
  const blocks = pem.toString('utf8').match(PEM_CERT) ?? []
  if (blocks.length === 0) throw new MaterialError(path, 'no-certificate', 'no PEM certificate found')
  for (const block of blocks) {
    try {
      new X509Certificate(block)
    } catch (err) {
      throw new MaterialError(path, 'not-a-certificate', `not a valid certificate: ${reason(err)}`, { cause: err })
    }
  }
  return blocks.map((b) => b + '\n')
}

/**
 * Checks that the pair parses, that the key belongs to the certificate and that the certificate has
 * not expired at `now`; with `allowExpired` an expired certificate passes (used at start-up only).
 */
export function checkMaterial(raw: RawMaterial, paths: MaterialPaths, now: Date, allowExpired = false): CheckedMaterial {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(raw.cert)
  } catch (err) {
    throw new MaterialError(paths.certFile, 'not-a-certificate', `not a PEM certificate: ${reason(err)}`, { cause: err })
  }
  let key
  try {
    key = createPrivateKey(raw.key)
  } catch (err) {
    throw new MaterialError(paths.keyFile, 'not-a-key', `not a PEM private key: ${reason(err)}`, { cause: err })
  }
  if (!cert.checkPrivateKey(key)) {
    throw new MaterialError(paths.keyFile, 'key-mismatch', `private key does not match the certificate in ${paths.certFile}`)
  }
  const notAfter = new Date(cert.validTo)
  if (!allowExpired && notAfter.getTime() <= now.getTime()) {
    throw new MaterialError(paths.certFile, 'expired', `certificate expired at ${notAfter.toISOString()}`)
  }
  const checked: CheckedMaterial = { ...raw, notAfter, fingerprint256: cert.fingerprint256 }
  if (raw.clientCa !== undefined && paths.clientCaFile !== undefined)
    checked.clientCaCerts = checkClientCa(raw.clientCa, paths.clientCaFile)
  // The last word belongs to OpenSSL: whatever it would refuse in setSecureContext fails here instead.
  try {
    createTlsContext(contextOptions(checked))
  } catch (err) {
    throw new MaterialError(paths.certFile, 'rejected', `rejected by TLS: ${reason(err)}`, { cause: err })
  }
  return checked
}

export interface ContextOptions {
  key: Buffer
  cert: Buffer
  ca?: string[]
  minVersion: 'TLSv1.2'
}

export function contextOptions(material: CheckedMaterial): ContextOptions {
  const options: ContextOptions = { key: material.key, cert: material.cert, minVersion: 'TLSv1.2' }
  if (material.clientCaCerts !== undefined) options.ca = material.clientCaCerts
  return options
}
