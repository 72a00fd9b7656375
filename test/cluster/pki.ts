// Every key and certificate the loopback control plane uses, written once into DIR/pki:
//   ca            signs the apiserver's serving cert and the admin client cert (--client-ca-file)
//   apiserver     serving cert for https://127.0.0.1
//   admin         client cert, O=system:masters (cluster-admin, may impersonate)
//   webhook-client-ca / webhook-client   what the apiserver presents to admission webhooks
//                 (AdmissionConfiguration); the webhook server trusts webhook-client-ca
//   sa            the service-account token signing key pair
import { generateKeyPairSync } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { issueCa, issueLeaf, type PemPair } from '../../src/certs/generate.js'

export const WEBHOOK_CLIENT_NAME = 'kube-apiserver-admission-client'

export interface Pki {
  dir: string
  ca: PemPair
  admin: PemPair
  webhookClientCa: PemPair
  file(name: string): string
}

export async function writePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true })
  const ca = await issueCa({ commonName: 'wfe-loopback-cluster-ca' })
  const apiserver = await issueLeaf({
    ca,
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default.svc'],
    ips: ['127.0.0.1'],
    usage: 'server',
  })
  const admin = await issueLeaf({ ca, commonName: 'wfe-cluster-admin', organization: 'system:masters', usage: 'client' })
  const webhookClientCa = await issueCa({ commonName: 'wfe-loopback-webhook-client-ca' })
  const webhookClient = await issueLeaf({ ca: webhookClientCa, commonName: WEBHOOK_CLIENT_NAME, usage: 'client' })
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const files: Record<string, string> = {
    'ca.crt': ca.cert,
    'ca.key': ca.key,
    'apiserver.crt': apiserver.cert,
    'apiserver.key': apiserver.key,
    'admin.crt': admin.cert,
    'admin.key': admin.key,
    'webhook-client-ca.crt': webhookClientCa.cert,
    'webhook-client-ca.key': webhookClientCa.key,
    'webhook-client.crt': webhookClient.cert,
    'webhook-client.key': webhookClient.key,
    'sa.key': sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    'sa.pub': sa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
  for (const [name, pem] of Object.entries(files)) await writeFile(join(dir, name), pem, { mode: name.endsWith('.key') ? 0o600 : 0o644 })
  return { dir, ca, admin, webhookClientCa, file: (name) => join(dir, name) }
}

const b64 = (s: string): string => Buffer.from(s).toString('base64')

/** A self-contained kubeconfig (certificates inline), so it can be copied anywhere. */
export function kubeconfig(server: string, ca: string, user: { cert: string; key: string } | { token: string }): string {
  const credentials =
    'token' in user ? `    token: ${user.token}` : `    client-certificate-data: ${b64(user.cert)}\n    client-key-data: ${b64(user.key)}`
  return `apiVersion: v1
kind: Config
clusters:
- name: wfe-loopback
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(ca)}
users:
- name: user
  user:
${credentials}
contexts:
- name: wfe-loopback
  context:
    cluster: wfe-loopback
    user: user
current-context: wfe-loopback
`
}

/**
 * The apiserver's AdmissionConfiguration: it presents the webhook client certificate to each URL
 * webhook on `ports` (a kubeconfig user is matched by the webhook's host:port).
 */
export function admissionConfiguration(webhookKubeconfig: string): string {
  const plugin = (name: string): string => `- name: ${name}
  configuration:
    apiVersion: apiserver.config.k8s.io/v1
    kind: WebhookAdmissionConfiguration
    kubeConfigFile: ${webhookKubeconfig}
`
  return `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
${plugin('ValidatingAdmissionWebhook')}${plugin('MutatingAdmissionWebhook')}`
}

export function webhookKubeconfig(pki: Pki, ports: readonly number[]): string {
  const users = ports
    .map(
      (p) => `- name: "127.0.0.1:${p}"
  user:
    client-certificate: ${pki.file('webhook-client.crt')}
    client-key: ${pki.file('webhook-client.key')}
`,
    )
    .join('')
  return `apiVersion: v1
kind: Config
users:
${users}`
}
