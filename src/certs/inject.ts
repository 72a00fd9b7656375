// The built-in certificate path for clusters without cert-manager: the CA goes into every caBundle
// of the webhook configurations found in a manifests directory, and the serving pair into a Secret
// manifest beside them. Manifests are hand-written and reviewed, so an existing caBundle value is
// replaced in place in the source text (every other byte, comment and quote style is kept); only a
// configuration that has no caBundle key yet is re-serialised through the yaml Document API.
import { readdir, readFile, writeFile, mkdir, chmod } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { Document, isMap, isScalar, isSeq, parseAllDocuments, Scalar } from 'yaml'
import { WfeError } from '../errors.js'

const WEBHOOK_KINDS = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'])
// cert-manager's cainjector owns the caBundle of a configuration carrying this annotation.
const CAINJECTOR_ANNOTATION = 'cert-manager.io/inject-ca-from'
export const SECRET_NAME = 'wfe-admission-tls'
/** Where the Secret manifest goes, relative to the manifests directory. */
export const SECRET_PATH = join('certs', 'secret.yaml')

export interface InjectedFile {
  path: string
  /** How many caBundle fields were written in it. */
  webhooks: number
  content: string
}

async function yamlFiles(dir: string, root: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files: string[] = []
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name)
    if (e.isDirectory()) {
      // Our own output (the Secret) and tooling directories are never manifests to inject into.
      if (e.name.startsWith('.') || e.name === 'node_modules' || relative(root, path) === 'certs') continue
      files.push(...(await yamlFiles(path, root)))
    } else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
      files.push(path)
    }
  }
  return files
}

function quoted(node: Scalar, value: string): string {
  if (node.type === Scalar.QUOTE_DOUBLE) return `"${value}"`
  if (node.type === Scalar.QUOTE_SINGLE) return `'${value}'`
  return value
}

/**
 * Computes the new content of every YAML file under `dir` holding a webhook configuration, with
 * `caBundle` set to base64(caPem) in each webhook's clientConfig. Nothing is written; a file that
 * does not parse is an error naming it, so a half-injected tree is never left behind.
 */
export async function planCaBundleInjection(dir: string, caPem: string): Promise<InjectedFile[]> {
  const bundle = Buffer.from(caPem).toString('base64')
  const planned: InjectedFile[] = []
  for (const path of await yamlFiles(dir, dir)) {
    const src = await readFile(path, 'utf8')
    const docs = parseAllDocuments(src)
    if (!Array.isArray(docs)) continue
    const edits: { start: number; end: number; text: string }[] = []
    let inserted = false
    let webhooks = 0
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new WfeError('WFE_ERR_INPUT', `${path}: not valid YAML: ${doc.errors[0]?.message ?? ''}`)
      if (!WEBHOOK_KINDS.has(String(doc.get('kind')))) continue
      if (doc.getIn(['metadata', 'annotations', CAINJECTOR_ANNOTATION]) !== undefined) continue
      const list = doc.get('webhooks', true)
      if (!isSeq(list)) continue
      for (const webhook of list.items) {
        if (!isMap(webhook)) continue
        const clientConfig = webhook.get('clientConfig', true)
        if (!isMap(clientConfig)) continue
        const node = clientConfig.get('caBundle', true)
        if (isScalar(node) && node.range !== undefined && node.range !== null) {
          edits.push({ start: node.range[0], end: node.range[1], text: quoted(node, bundle) })
        } else {
          clientConfig.set('caBundle', bundle)
          inserted = true
        }
        webhooks++
      }
    }
    if (webhooks === 0) continue
    let content: string
    if (inserted) {
      // Set the in-place values through the Document too, then print every document again.
      for (const doc of docs) setExistingBundles(doc, bundle)
      content = docs.map((d) => d.toString({ lineWidth: 0, flowCollectionPadding: false })).join('')
    } else {
      content = src
      for (const e of edits.sort((a, b) => b.start - a.start)) content = content.slice(0, e.start) + e.text + content.slice(e.end)
    }
    planned.push({ path, webhooks, content })
  }
  return planned
}

function setExistingBundles(doc: Document, bundle: string): void {
  if (!WEBHOOK_KINDS.has(String(doc.get('kind')))) return
  if (doc.getIn(['metadata', 'annotations', CAINJECTOR_ANNOTATION]) !== undefined) return
  const list = doc.get('webhooks', true)
  if (!isSeq(list)) return
  for (const webhook of list.items) {
    if (!isMap(webhook)) continue
    const clientConfig = webhook.get('clientConfig', true)
    if (!isMap(clientConfig)) continue
    const node = clientConfig.get('caBundle', true)
    if (isScalar(node)) node.value = bundle
  }
}

export interface SecretInput {
  namespace: string
  tlsCrt: string
  tlsKey: string
  caCrt: string
}

/** The kubernetes.io/tls Secret the Deployment mounts, as YAML with a do-not-commit header. */
export function secretManifest(input: SecretInput): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64')
  const doc = new Document({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: SECRET_NAME,
      namespace: input.namespace,
      labels: { 'app.kubernetes.io/name': 'wfe-admission', 'app.kubernetes.io/part-of': 'kubernaut' },
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(input.tlsCrt), 'tls.key': b64(input.tlsKey), 'ca.crt': b64(input.caCrt) },
  })
  doc.commentBefore = [
    ' Written by `wfe-admission certs --inject`: the serving certificate the wfe-admission pods mount.',
    ' It CONTAINS A PRIVATE KEY. Do not commit it (this directory is git-ignored); apply it with',
    ' `kubectl apply -f` on this file, before or with the rest of the manifests.',
  ].join('\n')
  return doc.toString({ lineWidth: 0 })
}

/** Writes the Secret manifest at DIR/certs/secret.yaml (0600), with a `*` .gitignore beside it. */
export async function writeSecretManifest(dir: string, input: SecretInput): Promise<string> {
  const certsDir = join(dir, 'certs')
  await mkdir(certsDir, { recursive: true })
  // Belt and braces: whatever DIR is, git ignores what this directory holds.
  await writeFile(join(certsDir, '.gitignore'), '# Generated by `wfe-admission certs --inject`; holds a private key.\n*\n')
  const path = join(dir, SECRET_PATH)
  await writeFile(path, secretManifest(input), { mode: 0o600 })
  await chmod(path, 0o600)
  return path
}
