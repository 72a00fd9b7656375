// The logger fastify itself writes to, shared by the webhook app (app.ts) and the probe app (health.ts).
import type { Logger } from 'pino'

/** fastify's own info lines ("Server listening at …") repeat our start-up line; keep its warnings and errors. */
export function frameworkLogger(logger: Logger): Logger {
  return logger.levelVal >= logger.levels.values['warn']! ? logger : logger.child({}, { level: 'warn' })
}
