// A certificate directory laid out as the kubelet mounts a Secret: tls.crt and tls.key are symlinks
// through `..data` to a timestamped directory, and an update renames a new `..data` over the old one
// in one step. The load test also overwrites the files in place, the way a careless tool would.
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { issueCertificates, issueLeaf, servingNames, type PemPair } from '../src/certs/generate.js'

export interface CertVolume {
  dir: string
  ca: PemPair
  serving: PemPair
  generation: number
}

async function writeGeneration(vol: CertVolume, pair: PemPair): Promise<string> {
  const name = `..gen_${++vol.generation}`
  await mkdir(join(vol.dir, name))
  await writeFile(join(vol.dir, name, 'tls.crt'), pair.cert)
  await writeFile(join(vol.dir, name, 'tls.key'), pair.key, { mode: 0o600 })
  return name
}

export async function createCertVolume(dir: string): Promise<CertVolume> {
  const { ca, serving } = await issueCertificates({ days: 1 })
  const vol: CertVolume = { dir, ca, serving, generation: 0 }
  await mkdir(dir, { recursive: true })
  await symlink(await writeGeneration(vol, serving), join(dir, '..data'))
  await symlink(join('..data', 'tls.crt'), join(dir, 'tls.crt'))
  await symlink(join('..data', 'tls.key'), join(dir, 'tls.key'))
  return vol
}

function newLeaf(ca: PemPair): Promise<PemPair> {
  const { dnsNames, ips } = servingNames()
  return issueLeaf({ ca, commonName: 'localhost', dnsNames, ips, usage: 'server', notAfter: new Date(Date.now() + 86400_000) })
}

/** A renewed pair from the same CA, swapped in atomically (what a Secret update looks like). */
export async function swapServingPair(vol: CertVolume): Promise<PemPair> {
  const pair = await newLeaf(vol.ca)
  const gen = await writeGeneration(vol, pair)
  await symlink(gen, join(vol.dir, '..data_tmp'))
  await rename(join(vol.dir, '..data_tmp'), join(vol.dir, '..data'))
  vol.serving = pair
  return pair
}

/** A renewed pair written over the old files one after the other: readers may see a torn pair. */
export async function overwriteServingPair(vol: CertVolume): Promise<PemPair> {
  const pair = await newLeaf(vol.ca)
  await writeFile(join(vol.dir, 'tls.crt'), pair.cert)
  await writeFile(join(vol.dir, 'tls.key'), pair.key)
  vol.serving = pair
  return pair
}

export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256
}
