// The audit intent the effects tests carry out: Flow 1 by the operator in test/helpers/objects.ts.
import type { BlockClearedEffect } from '../../src/admission/types.js'

export const EFFECT: BlockClearedEffect = {
  type: 'workflowexecution.block.cleared',
  actor: { username: 'alice@kubernaut.ai', uid: 'u-alice', groups: ['sre', 'system:authenticated'] },
  resource: { namespace: 'kubernaut-system', name: 'wfe-payment-api-1', uid: '6f1c2d3e-0000-4000-8000-000000000001' },
  reason: 'node pressure resolved, cluster state verified manually',
  method: 'StatusField',
  time: '2026-11-25T10:20:30Z',
  correlationId: 'rr-payment-api',
  admissionUid: 'req-1',
}
