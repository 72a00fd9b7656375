import t from 'tap'
import { DEFAULT_TRUSTED_CONTROLLER } from '../src/config.js'
import { admissionOptionsFrom } from '../src/cli/policy-flags.js'
import { parseFlags, splitList } from '../src/cli/args.js'
import { CORE_FLAGS } from '../src/cli/flags.js'

/** AdmissionOptions from the core flags as `argv` sets them (the table's defaults for the rest). */
const optionsFrom = (...argv: string[]) => admissionOptionsFrom(parseFlags(argv, CORE_FLAGS, {}).values)

t.test('defaults', async (t) => {
  const o = optionsFrom()
  t.equal(o.defaultTimeout, '30m0s')
  t.equal(o.minClearReasonWords, 5)
  t.same(o.trustedControllers, [DEFAULT_TRUSTED_CONTROLLER])
})

t.test('--default-timeout is stored as Go writes it', async (t) => {
  for (const [given, stored] of [
    ['30m', '30m0s'],
    ['90s', '1m30s'],
    ['1.5h', '1h30m0s'],
    ['2h0m0s', '2h0m0s'],
  ] as const) {
    t.equal(optionsFrom(`--default-timeout=${given}`).defaultTimeout, stored, given)
  }
  t.throws(() => optionsFrom('--default-timeout=0.5ns'), /--default-timeout: invalid value "0.5ns"/, 'Go reads 0.5ns as zero')
})

t.test('invalid values are refused with the flag named', async (t) => {
  t.throws(() => optionsFrom('--default-timeout=0s'), /--default-timeout: invalid value "0s"/)
  t.throws(() => optionsFrom('--default-timeout=soon'), /--default-timeout/)
  t.throws(() => optionsFrom('--min-clear-reason-words=0'), /--min-clear-reason-words/)
  t.throws(() => optionsFrom('--min-clear-reason-words=2.5'), /--min-clear-reason-words/)
})

t.test('lists split on commas and drop blanks', async (t) => {
  t.same(splitList('a, b,,c'), ['a', 'b', 'c'])
  t.same(splitList(['a,b', 'c']), ['a', 'b', 'c'])
  t.same(optionsFrom('--trusted-controllers=x,y').trustedControllers, ['x', 'y'])
})

t.test('serve reads its kubeconfig from WFE_KUBECONFIG or --kubeconfig, never from $KUBECONFIG', async (t) => {
  const { parseFlags } = await import('../src/cli/args.js')
  const { SERVE_FLAGS } = await import('../src/cli/flags.js')
  t.equal(parseFlags([], SERVE_FLAGS, { KUBECONFIG: '/home/dev/.kube/config' }).values['kubeconfig'], undefined)
  t.equal(parseFlags([], SERVE_FLAGS, { WFE_KUBECONFIG: '/etc/wfe/kubeconfig' }).values['kubeconfig'], '/etc/wfe/kubeconfig')
  t.equal(parseFlags(['--kubeconfig', '/k'], SERVE_FLAGS, { WFE_KUBECONFIG: '/etc/wfe/kubeconfig' }).values['kubeconfig'], '/k')
})
