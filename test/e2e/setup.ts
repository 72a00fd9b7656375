// What the end-to-end tests assume exists beyond the shipped manifests: the people and the controller
// they impersonate may read and write WorkflowExecutions (as their RBAC would allow in a real
// cluster), and read and create Events. Granted to system:authenticated, so system:anonymous stays unauthorised.
import type { ClusterInfo } from '../cluster/main.js'
import { kubectlOrThrow } from '../cluster/kubectl.js'

const RBAC = [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'wfe-e2e-operator' },
    rules: [
      {
        apiGroups: ['kubernaut.ai'],
        resources: ['workflowexecutions', 'workflowexecutions/status'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      { apiGroups: [''], resources: ['events', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      // What controllers and many users hold: the attacks on the audit trail are made with it (issue 19).
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'wfe-e2e-operator' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'wfe-e2e-operator' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }],
  },
]

export async function installFixtures(info: ClusterInfo): Promise<void> {
  await kubectlOrThrow(info.kubectl, info.kubeconfig, ['apply', '-f', '-'], { input: RBAC.map((o) => JSON.stringify(o)).join('\n') })
}
