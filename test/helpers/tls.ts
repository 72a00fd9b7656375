// A throwaway CA and serving pair for tests, and a static CertificateSource over them, so server
// tests never depend on the file source or on anything on disk.
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import type { Server as TlsServer, TlsOptions } from 'node:tls'
import * as x509 from '@peculiar/x509'
import type { CertificateSource } from '../../src/tls/source.js'

x509.cryptoProvider.set(webcrypto)

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const

export interface TestPki {
  caPem: string
  certPem: string
  keyPem: string
  notAfter: Date
}

async function pkcs8(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')
}

/** A CA and a leaf for localhost, 127.0.0.1 and ::1, valid from an hour ago for a day. */
export async function makeTestPki(): Promise<TestPki> {
  const notBefore = new Date(Date.now() - 3600_000)
  const notAfter = new Date(Date.now() + 86400_000)
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=wfe-admission test CA',
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  })
  const leafKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const leaf = await x509.X509CertificateGenerator.create({
    subject: 'CN=localhost',
    issuer: ca.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
  })
  return { caPem: ca.toString('pem'), certPem: leaf.toString('pem'), keyPem: await pkcs8(leafKeys.privateKey), notAfter }
}

export interface StaticSource extends CertificateSource {
  /** Flip what healthy() answers, as a file source would when its certificate expires. */
  setHealthy(v: boolean): void
  readonly calls: { attach: number; start: number; stop: number }
}

export function staticSource(pki: TestPki, healthy = true): StaticSource {
  let ok = healthy
  const calls = { attach: 0, start: 0, stop: 0 }
  return {
    serverOptions: (): TlsOptions => ({ cert: pki.certPem, key: pki.keyPem, minVersion: 'TLSv1.2' }),
    attach: (_server: TlsServer) => {
      calls.attach++
    },
    start: () => {
      calls.start++
    },
    stop: () => {
      calls.stop++
    },
    healthy: () => ok,
    notAfter: () => pki.notAfter,
    setHealthy: (v) => {
      ok = v
    },
    calls,
  }
}
