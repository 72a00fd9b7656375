// `wfe-admission serve`: the webhook over HTTPS until SIGTERM. Wiring only: flags → policy, TLS
// source, metrics, effect runner → startServer(). The Kubernetes client loads after listen().
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pino, type Logger } from 'pino'
import { CORE_FLAGS, SERVE_FLAGS } from '../flags.js'
import { WfeError } from '../../errors.js'
import { parseFlags, usage } from '../args.js'
import { fsProblem } from '../read-input.js'
import { policyFromFlags } from '../policy-flags.js'
import { EXIT_OK, EXIT_USAGE, type CliIO, type Command } from '../io.js'
import { serveConfig, type ServeConfig } from './serve-config.js'
import { createMetrics, type ServerMetrics } from '../../server/metrics.js'
import { shutdownOnSignal, startServer, type RunningServer } from '../../server/listen.js'
import { createFileCertificateSource } from '../../tls/file-source.js'
import { MaterialError } from '../../tls/material.js'
import { createEffectRunner, DEFAULT_EVENT_TIMEOUT_MS, type ManagedEffectRunner } from '../../effects/run.js'
import type { CertificateSource } from '../../tls/source.js'
import { createReadiness } from '../../server/health.js'
import { targetBlocksFrom } from '../policy-flags.js'
import { kubeApiConfigured } from '../../kube/config.js'
import { createBlockIndex, type BlockIndex } from '../../blocks/block-index.js'
import type { WatchSubscriber } from '../../watch/contract.js'

const FLAGS = [...CORE_FLAGS, ...SERVE_FLAGS] as const
const DEV_CERT_DAYS = 365
/** Longest wait for audit Event writes still in flight once the server has closed. */
const EVENTS_SETTLE_MS = 5_000
/** Upper bound for one LIST page of the WorkflowExecution watch (500 objects). */
const LIST_TIMEOUT_MS = 60_000

export const serve: Command = async (argv, io) => {
  const { values, positionals } = parseFlags(argv, FLAGS, io.env, 'serve')
  if (values['help'] === true) {
    io.stdout.write(
      usage(
        'serve [flags]',
        'Serves POST /validate-workflowexecution and /mutate-workflowexecution over HTTPS; probes and metrics on --probe-port.',
        FLAGS,
      ),
    )
    return EXIT_OK
  }
  if (positionals.length > 0) {
    io.stderr.write(`wfe-admission serve: takes no arguments, got ${JSON.stringify(positionals[0])}\n`)
    return EXIT_USAGE
  }
  const config = serveConfig(values)
  // The block index exists when a cluster is there to fill it; until its first LIST is synced the
  // replica is not ready (health.ts), so it never judges a CREATE from an empty view.
  const blockMode = targetBlocksFrom(values).mode
  const index = blockMode !== 'off' && kubeApiConfigured({ kubeconfigPath: config.kubeconfig }) ? createBlockIndex() : undefined
  const policy = policyFromFlags(values, io.cwd, undefined, index)
  const logger = pino({ level: config.logLevel, timestamp: pino.stdTimeFunctions.isoTime }, io.stdout)
  const certDir = resolve(io.cwd, config.certDir)
  if (config.devCerts) await ensureDevCertificates(certDir, config.certDir, logger)

  const metrics = createMetrics()
  const readiness = createReadiness()
  if (index !== undefined) readiness.setBlockIndex(index)
  const source = openSource(config, certDir, io, logger, metrics)
  let runner: ManagedEffectRunner = createEffectRunner({ logger, hooks: metrics.effectHooks })
  const server = await listenOrExplain(config, {
    policy,
    logger,
    source,
    metrics,
    readiness,
    runEffects: (request, effects) => runner(request, effects),
    host: config.bindAddress,
    port: config.port,
    probePort: config.probePort,
    drainDelayMs: config.drainDelayMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  })
  logger.info(
    {
      port: server.port,
      probePort: server.probePort,
      bindAddress: config.bindAddress,
      certDir,
      rules: policy.rules.length,
      readyMs: Math.round(process.uptime() * 1000),
    },
    'wfe-admission serving',
  )
  const stopped = shutdownOnSignal(server, logger)

  if (config.events || index !== undefined) {
    const loaded = await startClusterFeeds(config, logger, metrics, server, index)
    if (loaded !== undefined) runner = loaded
  }
  await stopped
  await Promise.race([runner.close(), new Promise((r) => setTimeout(r, EVENTS_SETTLE_MS).unref())])
  return EXIT_OK
}

/** A port in use or not allowed is the operator's to fix: one line naming the port and the flag that moves it, exit 2. */
async function listenOrExplain(config: ServeConfig, options: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  try {
    return await startServer(options)
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number; address?: string }
    const code = e.code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      // The probe port is bound first; the error carries the port that failed.
      const probe = e.port !== undefined ? e.port === config.probePort && e.port !== config.port : false
      const flag = probe ? '--probe-port' : '--port'
      const env = probe ? 'WFE_PROBE_PORT' : 'WFE_PORT'
      const port = e.port ?? (probe ? config.probePort : config.port)
      const why =
        code === 'EADDRINUSE'
          ? `port ${port} is already in use; stop what holds it or choose another port with ${flag} (or $${env})`
          : code === 'EACCES'
            ? `permission denied for port ${port} (ports below 1024 need privileges); choose another port with ${flag} (or $${env})`
            : `address ${config.bindAddress} is not on this machine; change --bind-address (or $WFE_BIND_ADDRESS)`
      throw new WfeError('WFE_ERR_CONFIG', `cannot listen on ${config.bindAddress}:${port} (${flag}): ${why}`, {
        cause: err,
        flag: code === 'EADDRNOTAVAIL' ? '--bind-address' : flag,
      })
    }
    throw err
  }
}

/** `npm start` for a newcomer: a CA and a serving pair for localhost when the directory has none. */
async function ensureDevCertificates(certDir: string, shown: string, logger: Logger): Promise<void> {
  if (existsSync(join(certDir, 'tls.crt')) && existsSync(join(certDir, 'tls.key'))) return
  // Half a pair, or a CA without one, is someone's material: never overwrite it unasked.
  const present = ['tls.crt', 'tls.key', 'ca.crt', 'ca.key'].filter((f) => existsSync(join(certDir, f)))
  if (present.length > 0) {
    const missing = ['tls.crt', 'tls.key'].filter((f) => !present.includes(f))
    throw new WfeError(
      'WFE_ERR_TLS',
      `--dev-certs: ${present.map((f) => join(shown, f)).join(', ')} ${present.length === 1 ? 'exists' : 'exist'} but ${missing.map((f) => join(shown, f)).join(' and ')} ${missing.length === 1 ? 'does' : 'do'} not; not overwriting: restore ${missing.length === 1 ? 'it' : 'them'}, or remove ${present.length === 1 ? 'it' : 'them'}, or make a pair with \`wfe-admission certs --out ${shown}\``,
    )
  }
  const { generateCertificates } = await import('../../certs/generate.js')
  await generateCertificates({ outDir: certDir, days: DEV_CERT_DAYS })
  logger.info({ certDir, days: DEV_CERT_DAYS }, 'generated dev certificates (ca.crt, tls.crt, tls.key); trust ca.crt to call the server')
}

function openSource(config: ServeConfig, certDir: string, io: CliIO, logger: Logger, metrics: ServerMetrics): CertificateSource {
  try {
    return createFileCertificateSource({
      certDir,
      ...(config.clientCa === undefined
        ? {}
        : { clientCaFile: resolve(io.cwd, config.clientCa), clientAllowedNames: config.clientAllowedNames }),
      logger,
      hooks: metrics.tlsHooks,
    })
  } catch (err) {
    if (!(err instanceof WfeError)) throw err
    const { flag, message } = explainTls(err, config, certDir, io.cwd)
    throw new WfeError(err.code, message, { cause: err, ...(flag === undefined ? {} : { flag }) })
  }
}

/** The file that failed, from an error or its causes (the file source wraps it in a WfeError). */
function materialErrorOf(err: unknown): MaterialError | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof MaterialError) return e
  return undefined
}

/**
 * A TLS start-up error as the flag it came from, what is wrong, and the command that fixes it, read
 * from the error's fields (which file, what is wrong, the errno), never from its wording.
 */
export function explainTls(err: WfeError, config: ServeConfig, certDir: string, cwd: string): { flag?: string; message: string } {
  const pairHint = `make a matching pair with \`wfe-admission certs --out ${config.certDir}\``
  const m = materialErrorOf(err)
  if (m === undefined) return { message: `${err.message}; ${pairHint}` }
  const unreadable = m.problem === 'unreadable'
  const what = unreadable ? fsProblem({ code: m.errno }) : m.detail
  if (config.clientCa !== undefined && m.path === resolve(cwd, config.clientCa)) {
    return {
      flag: '--client-ca',
      message: `--client-ca: the path "${config.clientCa}" ${unreadable ? what : `is not a usable CA: ${what}`}; it is the CA that signed the kube-apiserver's client certificate: make one with \`wfe-admission certs --out DIR --client kube-apiserver\`, then pass --client-ca DIR/ca.crt`,
    }
  }
  if (m.problem === 'key-mismatch') {
    return {
      flag: '--cert-dir',
      message: `--cert-dir ${config.certDir}: tls.key is not the private key of tls.crt (they are from different pairs); ${pairHint}`,
    }
  }
  for (const name of ['tls.crt', 'tls.key']) {
    if (m.path !== join(certDir, name)) continue
    const shown = join(config.certDir, name)
    if (unreadable)
      return {
        flag: '--cert-dir',
        message: `--cert-dir: the path "${shown}" ${what}; create a pair with \`wfe-admission certs --out ${config.certDir}\`${config.devCerts ? '' : ', or pass --dev-certs for a development pair'}`,
      }
    return { flag: '--cert-dir', message: `--cert-dir: ${shown}: ${what}; ${pairHint}` }
  }
  return { message: `${err.message}; ${pairHint}` }
}

/**
 * The one shared WorkflowExecution watch per replica, feeding the block index and (with --events)
 * the audit recorder; the runner that tells the recorder what this replica admitted. Undefined when
 * no API is configured.
 */
async function startClusterFeeds(
  config: ServeConfig,
  logger: Logger,
  metrics: ServerMetrics,
  server: RunningServer,
  index: BlockIndex | undefined,
): Promise<ManagedEffectRunner | undefined> {
  try {
    const trail = config.events ? await startTrail(config, logger, metrics) : undefined
    const subscribers: WatchSubscriber[] = []
    if (index !== undefined) subscribers.push(index, blockLog(index, logger))
    if (trail !== undefined) subscribers.push(trail.recorder)
    const { startSharedWatch } = await import('../../watch/start.js')
    const watch =
      subscribers.length === 0
        ? undefined
        : await startSharedWatch({
            logger,
            ...(config.kubeconfig === undefined ? {} : { kubeconfigPath: config.kubeconfig }),
            timeoutMs: LIST_TIMEOUT_MS,
            subscribers,
          })
    if (watch === undefined) {
      await trail?.close()
      logger.warn(
        'no --kubeconfig and not in a cluster: no WorkflowExecution watch, so target blocks are not enforced and no audit records or Events are written',
      )
      return undefined
    }
    if (index !== undefined)
      metrics.trackBlocks({
        blockedTargets: () => index.blockedTargets(),
        oldestBlockMs: () => index.oldestBlockMs(),
        isSynced: () => watch.isSynced(),
        stalenessMs: () => watch.stalenessMs(),
      })
    logger.info(
      { blockIndex: index !== undefined, audit: trail !== undefined, namespace: trail?.namespace },
      trail === undefined
        ? 'WorkflowExecution watch on: one list+watch feeds the block index (audit recorder off: --events=false)'
        : 'WorkflowExecution watch on: one list+watch feeds the block index and the audit recorder; the Lease holder writes one record per stored clearance and per deleted blocked execution',
    )
    const runner = createEffectRunner({ logger, ...(trail === undefined ? {} : { evidence: trail.evidence }), hooks: metrics.effectHooks })
    return Object.assign((...args: Parameters<ManagedEffectRunner>) => runner(...args), {
      settled: () => runner.settled(),
      close: async () => {
        await watch.close()
        await trail?.close()
      },
    })
  } catch (err) {
    // An explicit kubeconfig that does not load is a start-up error, not a silent loss of the audit trail.
    await server.shutdown('start-up failed')
    if (err instanceof WfeError) throw err
    throw new WfeError('WFE_ERR_CONFIG', `cannot set up the WorkflowExecution watch: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    })
  }
}

/** The audit recorder (Lease, markers, evidence), once the client has loaded; undefined when no API is configured. */
async function startTrail(config: ServeConfig, logger: Logger, metrics: ServerMetrics) {
  const { startAuditTrail } = await import('../../audit/start.js')
  return startAuditTrail({
    logger,
    kubeconfigPath: config.kubeconfig,
    namespace: config.auditNamespace,
    timeoutMs: DEFAULT_EVENT_TIMEOUT_MS,
    admissionGraceMs: config.admissionGraceMs,
    leaseDurationMs: config.leaseDurationMs,
    renewDeadlineMs: config.renewDeadlineMs,
    retryPeriodMs: config.retryPeriodMs,
    hooks: metrics.recorderHooks,
  })
}

/** Says when the block index syncs and when it goes stale (the metrics and the alert say it too). */
function blockLog(index: BlockIndex, logger: Logger): WatchSubscriber {
  return {
    name: 'block-log',
    upsert: () => {},
    remove: () => {},
    retains: () => false,
    synced: (resourceVersion) => logger.info({ resourceVersion, blockedTargets: index.blockedTargets() }, 'block index synced'),
    stale: (reason) =>
      logger.warn({ reason }, 'block index stale: the WorkflowExecution watch broke; judging from the last view (docs/blocks.md)'),
  }
}
