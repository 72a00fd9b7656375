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

const FLAGS = [...CORE_FLAGS, ...SERVE_FLAGS] as const
const DEV_CERT_DAYS = 365
/** Longest wait for audit Event writes still in flight once the server has closed. */
const EVENTS_SETTLE_MS = 5_000

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
  const policy = policyFromFlags(values, io.cwd)
  const logger = pino({ level: config.logLevel, timestamp: pino.stdTimeFunctions.isoTime }, io.stdout)
  const certDir = resolve(io.cwd, config.certDir)
  if (config.devCerts) await ensureDevCertificates(certDir, config.certDir, logger)

  const metrics = createMetrics()
  const source = openSource(config, certDir, io, logger, metrics)
  let runner: ManagedEffectRunner = createEffectRunner({ logger, hooks: metrics.effectHooks })
  const server = await listenOrExplain(config, {
    policy,
    logger,
    source,
    metrics,
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

  if (config.events) {
    const loaded = await loadEventRunner(config, logger, metrics, server)
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

/** The runner with the audit trail (recorder, Lease, evidence, shared watch), once the client has loaded; undefined when no API is configured. */
async function loadEventRunner(
  config: ServeConfig,
  logger: Logger,
  metrics: ServerMetrics,
  server: RunningServer,
): Promise<ManagedEffectRunner | undefined> {
  try {
    const { startAuditTrail } = await import('../../audit/start.js')
    const trail = await startAuditTrail({
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
    if (trail === undefined) {
      logger.warn('no --kubeconfig and not in a cluster: the audit recorder is off, so no audit records or Events are written')
      return undefined
    }
    const { startSharedWatch } = await import('../../watch/start.js')
    const watch = await startSharedWatch({
      logger,
      ...(config.kubeconfig === undefined ? {} : { kubeconfigPath: config.kubeconfig }),
      timeoutMs: DEFAULT_EVENT_TIMEOUT_MS,
      subscribers: [trail.recorder],
    })
    logger.info(
      { namespace: trail.namespace },
      'audit recorder on: the Lease holder writes one record per stored clearance and per deleted blocked execution',
    )
    const runner = createEffectRunner({ logger, evidence: trail.evidence, hooks: metrics.effectHooks })
    return Object.assign((...args: Parameters<ManagedEffectRunner>) => runner(...args), {
      settled: () => runner.settled(),
      close: async () => {
        await watch?.close()
        await trail.close()
      },
    })
  } catch (err) {
    // An explicit kubeconfig that does not load is a start-up error, not a silent loss of the audit trail.
    await server.shutdown('start-up failed')
    if (err instanceof WfeError) throw err
    throw new WfeError('WFE_ERR_CONFIG', `cannot set up the audit recorder: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    })
  }
}
