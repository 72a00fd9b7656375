// `wfe-admission certs --out DIR [--service NAME --namespace NS] [--days N] [--client NAME] [--inject DIR]`:
// a CA and a serving pair (and a client pair) for dev and for clusters without cert-manager.
import { stat, writeFile } from 'node:fs/promises'
import { resolve, relative } from 'node:path'
import { CERTS_FLAGS, type CertsFlagValues } from '../flags.js'
import { parseFlags, usage } from '../args.js'
import { EXIT_OK, EXIT_USAGE, type Command } from '../io.js'
import { issueCertificates, writeCertificates } from '../../certs/generate.js'
import { SECRET_NAME, planCaBundleInjection, writeSecretManifest } from '../../certs/inject.js'
import { readExistingCa } from '../../certs/existing-ca.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
// A CN goes into a distinguished-name string: keep to characters that need no escaping there.
const COMMON_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/
const MAX_DAYS = 3650

/** The first problem with the flag values, in `--flag: ...` form, or undefined. */
function invalid(values: CertsFlagValues, positionals: string[]): string | undefined {
  if (positionals.length > 0) return `unexpected argument "${positionals[0] ?? ''}"`
  const days = values['days']
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    return `--days: invalid value "${days}": must be a whole number from 1 to ${MAX_DAYS}`
  for (const flag of ['service', 'namespace'] as const) {
    const v = values[flag]
    if (v !== undefined && (v.length > 63 || !DNS_LABEL.test(v))) {
      return `--${flag}: invalid value "${v}": must be a DNS-1123 label (lowercase letters, digits and '-', at most 63)`
    }
  }
  const client = values['client']
  if (client !== undefined && (client.length > 64 || !COMMON_NAME.test(client))) {
    return `--client: invalid value "${client}": a common name of letters, digits and . _ : @ -, at most 64`
  }
  if (values['out'] === '') return '--out: a directory is required'
  if (values['inject'] !== undefined && values['service'] === undefined) {
    return "--inject needs --service (and --namespace): the apiserver reaches the webhook through the Service's DNS name"
  }
  return undefined
}

export const certs: Command = async (argv, io) => {
  const { values, positionals } = parseFlags(argv, CERTS_FLAGS, io.env, 'certs')
  if (values['help'] === true) {
    io.stdout.write(
      usage(
        'certs [flags]',
        'Generates a CA (ca.crt, ca.key) and a serving pair (tls.crt, tls.key) signed by it; --client adds client.crt/client.key; --inject fills caBundle in the manifests and writes a Secret manifest.',
        CERTS_FLAGS,
      ),
    )
    return EXIT_OK
  }
  if (values['in-cluster']) return (await import('./certs-in-cluster.js')).certsInCluster(values, positionals, io)
  const problem = invalid(values, positionals)
  if (problem !== undefined) {
    io.stderr.write(`wfe-admission certs: ${problem}\n`)
    return EXIT_USAGE
  }
  const outDir = resolve(io.cwd, values['out'])
  const service = values['service']
  const namespace = values['namespace']
  const client = values['client']
  const injectDir = values['inject'] === undefined ? undefined : resolve(io.cwd, values['inject'])
  if (
    injectDir !== undefined &&
    !(await stat(injectDir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    io.stderr.write(`wfe-admission certs: --inject: ${injectDir} is not a directory\n`)
    return EXIT_USAGE
  }

  const ca = values['new-ca'] ? undefined : await readExistingCa(outDir)
  const issued = await issueCertificates({
    days: values['days'],
    namespace,
    ...(service !== undefined ? { service } : {}),
    ...(client !== undefined ? { client } : {}),
    ...(ca !== undefined ? { ca } : {}),
  })
  // Plan the injection before writing anything, so an unparsable manifest leaves no files behind.
  const planned = injectDir === undefined ? [] : await planCaBundleInjection(injectDir, issued.ca.cert)
  const generated = await writeCertificates(outDir, issued)
  const show = (p: string): string => relative(io.cwd, p) || '.'
  if (ca !== undefined) io.stdout.write(`reused the CA in ${show(outDir)} (ca.crt, ca.key); --new-ca makes a new one\n`)
  const written = ca === undefined ? generated.files : generated.files.filter((f) => !/ca\.(crt|key)$/.test(f))
  io.stdout.write(`wrote ${written.map(show).join(', ')}\n`)

  if (injectDir !== undefined) {
    for (const file of planned) {
      await writeFile(file.path, file.content)
      io.stdout.write(`injected the CA into ${file.webhooks} caBundle field(s) in ${show(file.path)}\n`)
    }
    if (planned.length === 0)
      io.stderr.write(`wfe-admission certs: warning: no webhook configuration with a clientConfig found under ${show(injectDir)}\n`)
    const secret = await writeSecretManifest(injectDir, {
      namespace,
      tlsCrt: issued.serving.cert,
      tlsKey: issued.serving.key,
      caCrt: issued.ca.cert,
    })
    io.stdout.write(
      `wrote ${show(secret)} (Secret ${namespace}/${SECRET_NAME}; it holds a private key: do not commit it; apply it with kubectl apply -f)\n`,
    )
  }
  return EXIT_OK
}
