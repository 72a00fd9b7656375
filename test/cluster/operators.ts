// `npm run cluster` grants the README's and the demo's example users what a Kubernaut operator has:
// read and write WorkflowExecutions (and their /status, where a block is cleared), read Events and
// namespaces. `kubectl --as alice@example.com` then acts as an ordinary user, not cluster-admin,
// so what the webhook refuses is the webhook's doing, not RBAC's.
import type { ControlPlane } from './control-plane.js'
import { applyObjects, type K8sObject } from './webhook.js'

export const OPERATOR_ROLE = 'kubernaut-operator'
export const OPERATOR_GROUP = 'kubernaut:operators'
export const EXAMPLE_USERS = ['alice@example.com', 'bob@example.com', 'alice@kubernaut.ai', 'bob@kubernaut.ai'] as const

export function operatorRbac(): K8sObject[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: OPERATOR_ROLE },
      rules: [
        {
          apiGroups: ['kubernaut.ai'],
          resources: ['workflowexecutions', 'workflowexecutions/status'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
        },
        { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: OPERATOR_ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OPERATOR_ROLE },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: OPERATOR_GROUP },
        ...EXAMPLE_USERS.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })),
      ],
    },
  ]
}

export async function grantOperators(cp: Pick<ControlPlane, 'kubectl' | 'kubeconfig'>): Promise<void> {
  await applyObjects(cp, operatorRbac())
}
