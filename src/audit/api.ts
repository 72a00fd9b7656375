// The recorder's calls to the Kubernetes API, as an interface: the recorder, the lease and the
// admission evidence are written against it, the tests bind it to an in-memory fake, the server
// to the REST client (kube-rest.ts). Every object it creates lives in the server's own namespace,
// where only the server's ServiceAccount may write (RBAC), except the best-effort Events.
import { ApiError, failIfNot, type Rest } from './kube-rest.js'

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  resourceVersion?: string
}

export interface ConfigMapObject {
  apiVersion?: 'v1'
  kind?: 'ConfigMap'
  metadata: ObjectMeta & { name: string }
  data?: Record<string, string>
}

export interface LeaseObject {
  apiVersion?: 'coordination.k8s.io/v1'
  kind?: 'Lease'
  metadata: ObjectMeta & { name: string }
  spec?: {
    holderIdentity?: string | null
    leaseDurationSeconds?: number
    acquireTime?: string | null
    renewTime?: string | null
    leaseTransitions?: number
  }
}

export interface AuditApi {
  /** The server's own namespace, where markers and the Lease live. */
  readonly namespace: string
  readConfigMap(name: string): Promise<ConfigMapObject | undefined>
  /** 'exists' when the name is taken (AlreadyExists); throws on anything else. */
  createConfigMap(object: ConfigMapObject): Promise<'created' | 'exists'>
  /** Replaces (by resourceVersion); throws ApiError 409 on a conflict. */
  replaceConfigMap(object: ConfigMapObject): Promise<void>
  readLease(name: string): Promise<LeaseObject | undefined>
  /** false when another holder created it first or changed it since it was read (409). */
  createLease(object: LeaseObject): Promise<boolean>
  replaceLease(object: LeaseObject): Promise<boolean>
  createEvent(namespace: string, event: Record<string, unknown>): Promise<void>
  /** 'Gone' when the namespace no longer exists. */
  namespacePhase(name: string): Promise<'Active' | 'Terminating' | 'Gone'>
}

export function createAuditApi(rest: Rest, namespace: string): AuditApi {
  const ns = encodeURIComponent(namespace)
  const cms = `/api/v1/namespaces/${ns}/configmaps`
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`
  const read = async <T>(path: string, what: string): Promise<T | undefined> => {
    const a = failIfNot(await rest('GET', path), [200, 404], what)
    return a.status === 404 ? undefined : (a.body as T)
  }
  return {
    namespace,
    readConfigMap: (name) => read<ConfigMapObject>(`${cms}/${encodeURIComponent(name)}`, `read ConfigMap ${namespace}/${name}`),
    createConfigMap: async (object) => {
      const a = failIfNot(
        await rest('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', ...object }),
        [201, 409],
        `create ConfigMap ${namespace}/${object.metadata.name}`,
      )
      return a.status === 409 ? 'exists' : 'created'
    },
    replaceConfigMap: async (object) => {
      failIfNot(
        await rest('PUT', `${cms}/${encodeURIComponent(object.metadata.name)}`, { apiVersion: 'v1', kind: 'ConfigMap', ...object }),
        [200],
        `replace ConfigMap ${namespace}/${object.metadata.name}`,
      )
    },
    readLease: (name) => read<LeaseObject>(`${leases}/${encodeURIComponent(name)}`, `read Lease ${namespace}/${name}`),
    createLease: async (object) => {
      const a = failIfNot(
        await rest('POST', leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...object }),
        [201, 409],
        `create Lease ${namespace}/${object.metadata.name}`,
      )
      return a.status === 201
    },
    replaceLease: async (object) => {
      const a = failIfNot(
        await rest('PUT', `${leases}/${encodeURIComponent(object.metadata.name)}`, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          ...object,
        }),
        [200, 409],
        `update Lease ${namespace}/${object.metadata.name}`,
      )
      return a.status === 200
    },
    createEvent: async (namespace, event) => {
      failIfNot(
        await rest('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, event),
        [201],
        `create Event in ${namespace}`,
      )
    },
    namespacePhase: async (name) => {
      const n = await read<{ status?: { phase?: string } }>(`/api/v1/namespaces/${encodeURIComponent(name)}`, `read Namespace ${name}`)
      if (n === undefined) return 'Gone'
      return n.status?.phase === 'Terminating' ? 'Terminating' : 'Active'
    },
  }
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409
}
