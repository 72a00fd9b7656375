// An in-memory AuditApi (src/audit/api.ts): ConfigMaps and Leases with resourceVersions and
// AlreadyExists/Conflict, Events, Namespace phases. The demo records through it; the recorder's
// unit tests use it as their fake apiserver, with failures switched on per call kind.
/* eslint-disable @typescript-eslint/require-await -- the fake answers at once, with the API's async shape */
import type { AuditApi, ConfigMapObject, LeaseObject } from '../src/audit/api.js'
import { ApiError } from '../src/audit/kube-rest.js'

export type Call =
  'readConfigMap' | 'createConfigMap' | 'replaceConfigMap' | 'readLease' | 'createLease' | 'replaceLease' | 'createEvent' | 'namespacePhase'

export interface MemoryAuditApi extends AuditApi {
  configMaps: Map<string, ConfigMapObject>
  leases: Map<string, LeaseObject>
  events: { namespace: string; event: Record<string, unknown> }[]
  namespaces: Map<string, 'Active' | 'Terminating'>
  /** Calls that fail with this status until cleared (403: RBAC refused, 503: apiserver down). */
  failing: Map<Call, number>
  calls: Call[]
}

export function createMemoryAuditApi(namespace = 'kubernaut-system'): MemoryAuditApi {
  let version = 1
  const api: MemoryAuditApi = {
    namespace,
    configMaps: new Map(),
    leases: new Map(),
    events: [],
    namespaces: new Map(),
    failing: new Map(),
    calls: [],
    readConfigMap: async (name) => {
      check('readConfigMap')
      const c = api.configMaps.get(name)
      return c === undefined ? undefined : structuredClone(c)
    },
    createConfigMap: async (object) => {
      check('createConfigMap')
      if (api.configMaps.has(object.metadata.name)) return 'exists'
      api.configMaps.set(object.metadata.name, {
        ...structuredClone(object),
        metadata: { ...object.metadata, resourceVersion: String(version++) },
      })
      return 'created'
    },
    replaceConfigMap: async (object) => {
      check('replaceConfigMap')
      const c = api.configMaps.get(object.metadata.name)
      if (c === undefined || c.metadata.resourceVersion !== object.metadata.resourceVersion) throw new ApiError(409, 'conflict')
      api.configMaps.set(object.metadata.name, {
        ...structuredClone(object),
        metadata: { ...object.metadata, resourceVersion: String(version++) },
      })
    },
    readLease: async (name) => {
      check('readLease')
      const l = api.leases.get(name)
      return l === undefined ? undefined : structuredClone(l)
    },
    createLease: async (object) => {
      check('createLease')
      if (api.leases.has(object.metadata.name)) return false
      api.leases.set(object.metadata.name, {
        ...structuredClone(object),
        metadata: { ...object.metadata, resourceVersion: String(version++) },
      })
      return true
    },
    replaceLease: async (object) => {
      check('replaceLease')
      const l = api.leases.get(object.metadata.name)
      if (l === undefined || l.metadata.resourceVersion !== object.metadata.resourceVersion) return false
      api.leases.set(object.metadata.name, {
        ...structuredClone(object),
        metadata: { ...object.metadata, resourceVersion: String(version++) },
      })
      return true
    },
    createEvent: async (ns, event) => {
      check('createEvent')
      if (api.namespaces.get(ns) === 'Terminating') throw new ApiError(403, `namespace ${ns} is being terminated`)
      api.events.push({ namespace: ns, event: structuredClone(event) })
    },
    namespacePhase: async (name) => {
      check('namespacePhase')
      return api.namespaces.get(name) ?? 'Active'
    },
  }
  function check(call: Call): void {
    api.calls.push(call)
    const code = api.failing.get(call)
    if (code !== undefined) throw new ApiError(code, `${call}: refused (${code})`)
  }
  return api
}
