import t from 'tap'
import { pino, type Logger } from 'pino'
import { AUDIT_MESSAGE, auditFields, auditLogger, writeAuditRecord } from '../../src/effects/audit.js'
import { EFFECT } from './effect-fixture.js'

function capture(): { lines: Record<string, unknown>[]; logger: Logger } {
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'info', base: { service: 'wfe-admission' } },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  )
  return { lines, logger }
}

t.test('one line on the audit logger with every field of the record', async (t) => {
  const { lines, logger } = capture()
  writeAuditRecord(auditLogger(logger), EFFECT)
  t.equal(lines.length, 1)
  const line = lines[0] as Record<string, unknown>
  t.equal(line['logger'], 'audit')
  t.equal(line['level'], 30)
  t.equal(line['msg'], AUDIT_MESSAGE)
  t.equal(line['service'], 'wfe-admission', "the parent logger's bindings are kept")
  t.equal(typeof line['time'], 'number', 'pino keeps its own write time')
  t.same(
    {
      event: line['event'],
      actor: line['actor'],
      resource: line['resource'],
      reason: line['reason'],
      method: line['method'],
      clearedAt: line['clearedAt'],
      correlationId: line['correlationId'],
      admissionUid: line['admissionUid'],
    },
    {
      event: 'workflowexecution.block.cleared',
      actor: { username: 'alice@kubernaut.ai', uid: 'u-alice', groups: ['sre', 'system:authenticated'] },
      resource: { namespace: 'kubernaut-system', name: 'wfe-payment-api-1', uid: '6f1c2d3e-0000-4000-8000-000000000001' },
      reason: 'node pressure resolved, cluster state verified manually',
      method: 'StatusField',
      clearedAt: '2026-11-25T10:20:30Z',
      correlationId: 'rr-payment-api',
      admissionUid: 'req-1',
    },
  )
})

t.test('userInfo.extra never reaches the audit line, even if an effect carries it', async (t) => {
  const leaky = { ...EFFECT, actor: { ...EFFECT.actor, extra: { 'authentication.kubernetes.io/credential-id': ['JTI=secret'] } } }
  const { lines, logger } = capture()
  writeAuditRecord(auditLogger(logger), leaky)
  t.same(lines[0]?.['actor'], { username: 'alice@kubernaut.ai', uid: 'u-alice', groups: ['sre', 'system:authenticated'] })
  t.notMatch(JSON.stringify(lines[0]), /secret|credential-id/)
})

t.test('absent uid and groups are left out rather than logged as null', async (t) => {
  const fields = auditFields({ ...EFFECT, actor: { username: 'bob' }, resource: { namespace: 'ns', name: 'n' } })
  t.same(fields['actor'], { username: 'bob' })
  t.same(fields['resource'], { namespace: 'ns', name: 'n' })
})
