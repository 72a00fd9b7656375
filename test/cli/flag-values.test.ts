// Flag values are typed from the flag table (src/cli/flags.ts): a read of a flag that is not in the
// table does not compile, a flag with a default is always set, and list flags arrive split. TLS
// start-up errors carry their file, problem and errno as fields, and the CLI blames a flag from those.
import t from 'tap'
import { join } from 'node:path'
import { parseFlags } from '../../src/cli/args.js'
import { CORE_FLAGS, SERVE_FLAGS } from '../../src/cli/flags.js'
import { explainTls } from '../../src/cli/commands/serve.js'
import { serveConfig } from '../../src/cli/commands/serve-config.js'
import { MaterialError } from '../../src/tls/material.js'
import { WfeError } from '../../src/errors.js'

t.test('values are typed from the table', async (t) => {
  const { values } = parseFlags(['--trusted-controllers', 'a, b,,c'], [...CORE_FLAGS, ...SERVE_FLAGS], {})
  const port: number = values['port']
  const list: readonly string[] = values['trusted-controllers']
  const clientCa: string | undefined = values['client-ca']
  t.equal(port, 9443)
  t.same(list, ['a', 'b', 'c'], 'a list flag arrives split, trimmed, blanks dropped')
  t.equal(clientCa, undefined)
  // @ts-expect-error a flag that is not in the table is not a key of its values (tsc fails if it becomes one)
  t.equal(values['prot'], undefined)
})

t.test('explainTls reads the error fields, not its wording', async (t) => {
  const { values } = parseFlags(['--cert-dir', 'pki'], SERVE_FLAGS, {})
  const config = serveConfig(values)
  const certDir = join('/srv', 'pki')
  const wrapped = (cause: MaterialError) => new WfeError('WFE_ERR_TLS', 'wording that says nothing', { cause })
  const missingKey = explainTls(
    wrapped(new MaterialError(join(certDir, 'tls.key'), 'unreadable', 'gone', { errno: 'ENOENT' })),
    config,
    certDir,
    '/srv',
  )
  t.equal(missingKey.flag, '--cert-dir')
  t.match(missingKey.message, /^--cert-dir: the path "pki\/tls\.key" does not exist; create a pair/)
  const mismatch = explainTls(wrapped(new MaterialError(join(certDir, 'tls.key'), 'key-mismatch', 'x')), config, certDir, '/srv')
  t.match(mismatch, { flag: '--cert-dir', message: /tls\.key is not the private key of tls\.crt/ })
  const other = explainTls(new WfeError('WFE_ERR_TLS', 'no file to blame'), config, certDir, '/srv')
  t.equal(other.flag, undefined)
  t.match(other.message, /^no file to blame; make a matching pair/)
})
