// A cluster connection for `blocks` and `clear`, found as kubectl finds it: --kubeconfig, then
// $KUBECONFIG (its first file), then ~/.kube/config; --context; the namespace from -n, the
// context, or default. Every failure is one line naming what to fix (exit 2).
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseGoDuration } from '../../api/duration.js'
import { splitList } from '../args.js'
import type { ConnectionFlagValues } from '../cluster-flags.js'
import { WfeError } from '../../errors.js'
import { KubeApiError, kubeRequest, type KubeRequest } from '../../kube/request.js'
import type { CliIO } from '../io.js'

type KubeConfig = import('@kubernetes/client-node').KubeConfig

export interface Connection {
  kc: KubeConfig
  server: string
  namespace: string
  /** The caller's --as/--as-group, applied to every request. */
  request<T>(req: Omit<KubeRequest, 'as' | 'asGroups' | 'timeoutMs'>): Promise<T>
}

export async function connect(values: ConnectionFlagValues, io: CliIO): Promise<Connection> {
  const given = values['kubeconfig'] !== undefined && values['kubeconfig'] !== '' ? values['kubeconfig'] : undefined
  const fromEnv = io.env['KUBECONFIG']?.split(':').find((p) => p !== '')
  const home = io.env['HOME'] === undefined ? undefined : join(io.env['HOME'], '.kube', 'config')
  const path = given !== undefined ? resolve(io.cwd, given) : fromEnv !== undefined ? resolve(io.cwd, fromEnv) : home
  const source = given !== undefined ? `--kubeconfig ${given}` : fromEnv !== undefined ? `$KUBECONFIG (${fromEnv})` : '~/.kube/config'
  if (path === undefined || !existsSync(path))
    throw new WfeError('WFE_ERR_CONFIG', `${source}: does not exist: pass --kubeconfig FILE or set $KUBECONFIG, as for kubectl`)
  const timeout = parseGoDuration(values['request-timeout'])
  if (timeout === undefined || timeout <= 0)
    throw new WfeError(
      'WFE_ERR_CONFIG',
      `--request-timeout: invalid value "${values['request-timeout']}": must be a Go duration such as 30s`,
    )
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  try {
    kc.loadFromFile(path)
  } catch (err) {
    throw new WfeError('WFE_ERR_CONFIG', `${source}: cannot load it: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (values['context'] !== undefined && values['context'] !== '') {
    const name = values['context']
    if (kc.getContextObject(name) === null)
      throw new WfeError(
        'WFE_ERR_CONFIG',
        `--context ${name}: no such context in ${source}; it has ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      )
    kc.setCurrentContext(name)
  }
  const cluster = kc.getCurrentCluster()
  if (cluster === null) throw new WfeError('WFE_ERR_CONFIG', `${source}: no current context with a cluster: pass --context NAME`)
  const ns = values['namespace'] !== undefined && values['namespace'] !== '' ? values['namespace'] : undefined
  const namespace = ns ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default'
  const as = values['as'] !== undefined && values['as'] !== '' ? values['as'] : undefined
  const asGroups = splitList(values['as-group'] ?? [])
  if (as === undefined && asGroups.length > 0) throw new WfeError('WFE_ERR_USAGE', '--as-group needs --as, as in kubectl')
  const timeoutMs = timeout / 1e6
  return {
    kc,
    server: cluster.server,
    namespace,
    request: async <T>(req: Omit<KubeRequest, 'as' | 'asGroups' | 'timeoutMs'>): Promise<T> => {
      try {
        return await kubeRequest<T>(kc, { ...req, as, asGroups, timeoutMs })
      } catch (err) {
        if (err instanceof KubeApiError) throw err
        // Not an answer: the apiserver is unreachable, or TLS or credentials failed before one.
        throw new WfeError(
          'WFE_ERR_CONNECT',
          `cannot reach the apiserver at ${cluster.server} (${source}): ${err instanceof Error ? err.message : String(err)}`,
        )
      }
    },
  }
}
