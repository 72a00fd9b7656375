// The audit trail: one pino line per new block-clearance attribution, on a dedicated `audit` child
// logger so it can be routed and retained apart from operational logs.
import type { LogFn } from 'pino'
import type { BlockClearedEffect } from '../admission/types.js'

/** What effects/ needs of a logger: a pino Logger or fastify's `app.log` both fit. */
export interface EffectLogger {
  info: LogFn
  warn: LogFn
  error: LogFn
  child(bindings: Record<string, unknown>): EffectLogger
}

export const AUDIT_LOGGER = 'audit'
export const AUDIT_MESSAGE = 'workflowexecution block cleared'

export function auditLogger(logger: EffectLogger): EffectLogger {
  return logger.child({ logger: AUDIT_LOGGER })
}

/**
 * The record's fields. The clearance time goes out as `clearedAt` because pino's own `time` (when
 * the line was written) already owns that key. The actor is copied field by field: userInfo.extra
 * can carry tokens' claims and is never logged.
 */
export function auditFields(effect: BlockClearedEffect): Record<string, unknown> {
  const actor: Record<string, unknown> = { username: effect.actor.username }
  if (effect.actor.uid !== undefined) actor['uid'] = effect.actor.uid
  if (effect.actor.groups !== undefined) actor['groups'] = [...effect.actor.groups]
  const resource: Record<string, unknown> = { namespace: effect.resource.namespace, name: effect.resource.name }
  if (effect.resource.uid !== undefined) resource['uid'] = effect.resource.uid
  return {
    event: effect.type,
    actor,
    resource,
    reason: effect.reason,
    method: effect.method,
    clearedAt: effect.time,
    correlationId: effect.correlationId,
    admissionUid: effect.admissionUid,
  }
}

export function writeAuditRecord(audit: EffectLogger, effect: BlockClearedEffect): void {
  audit.info(auditFields(effect), AUDIT_MESSAGE)
}
