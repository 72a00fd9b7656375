// An existing CA in the output directory, reused by `certs` so that whatever already trusts it
// (caBundles, the apiserver's client CA) keeps working when the leaves are reissued.
import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PemPair } from './generate.js'
import { WfeError } from '../errors.js'

/** The CA in `dir`, or undefined when neither file is there. Throws when it is there but unusable. */
export async function readExistingCa(dir: string, now = new Date()): Promise<PemPair | undefined> {
  const certPath = join(dir, 'ca.crt')
  const keyPath = join(dir, 'ca.key')
  const [cert, key] = await Promise.all([certPath, keyPath].map((p) => readFile(p, 'utf8').catch(() => undefined)))
  if (cert === undefined && key === undefined) return undefined
  if (cert === undefined || key === undefined) {
    throw new WfeError('WFE_ERR_TLS', `${cert === undefined ? certPath : keyPath} is missing while ${cert === undefined ? keyPath : certPath} exists: restore it, or pass --new-ca`)
  }
  let x: X509Certificate
  try {
    x = new X509Certificate(cert)
  } catch (err) {
    throw new WfeError('WFE_ERR_TLS', `${certPath}: not a PEM certificate (${err instanceof Error ? err.message : String(err)}); pass --new-ca to replace it`)
  }
  if (!x.ca) throw new WfeError('WFE_ERR_TLS', `${certPath}: not a CA certificate; pass --new-ca to replace it`)
  if (new Date(x.validTo) <= now) throw new WfeError('WFE_ERR_TLS', `${certPath}: the CA expired on ${new Date(x.validTo).toISOString()}; pass --new-ca`)
  let matches: boolean
  try {
    const { createPrivateKey } = await import('node:crypto')
    matches = x.checkPrivateKey(createPrivateKey(key))
  } catch {
    matches = false
  }
  if (!matches) throw new WfeError('WFE_ERR_TLS', `${keyPath}: not the private key of ${certPath}; pass --new-ca to replace both`)
  return { cert, key }
}
