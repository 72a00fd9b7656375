// Where a write's CPU goes: each process of the loopback control plane (from the control plane's
// state.json), wfe-admission and the load generator (this process), read before and after a round.
// On a 2-core machine they share the CPU, so what the webhooks add to the apiserver's own work
// counts against throughput as much as what wfe-admission spends.
import { readFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpuSecondsOf } from '../cpu.js'

export interface Counted {
  name: string
  pid: number
}

/** The control plane's processes (etcd, kube-apiserver, kube-controller-manager) and wfe-admission. */
export async function countedProcesses(clusterDir: string, servePid: number): Promise<Counted[]> {
  const { pids = [] } = JSON.parse(await readFile(join(clusterDir, 'state.json'), 'utf8')) as { pids?: number[] }
  const comm = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  return [...pids.map((pid) => ({ name: comm(pid), pid })), { name: 'wfe-admission', pid: servePid }]
}

export const LOAD_GENERATOR = 'load generator'

/** CPU seconds so far, per process name; the load generator is this process. */
export function cpuNow(processes: readonly Counted[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const p of processes) out.set(p.name, cpuSecondsOf(p.pid))
  const own = process.cpuUsage()
  out.set(LOAD_GENERATOR, (own.user + own.system) / 1e6)
  return out
}

export function cpuSince(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)]))
}

/** "kube-apiserver 2.10 / 1.40 ms, …, total 6.40 / 4.30 ms": CPU ms per write, with / without. */
export function describeSplit(
  withCpu: ReadonlyMap<string, number>,
  withWrites: number,
  withoutCpu: ReadonlyMap<string, number>,
  withoutWrites: number,
): string {
  const per = (cpu: ReadonlyMap<string, number>, name: string, writes: number): number => ((cpu.get(name) ?? 0) * 1000) / writes
  const names = [...withCpu.keys()]
  const cell = (name: string): string =>
    `${name} ${per(withCpu, name, withWrites).toFixed(2)} / ${per(withoutCpu, name, withoutWrites).toFixed(2)}`
  const total = (cpu: ReadonlyMap<string, number>, writes: number): number => names.reduce((s, n) => s + per(cpu, n, writes), 0)
  return `${names.map(cell).join('; ')}; total ${total(withCpu, withWrites).toFixed(2)} / ${total(withoutCpu, withoutWrites).toFixed(2)} ms`
}

export function addCpu(sum: Map<string, number>, add: ReadonlyMap<string, number>): Map<string, number> {
  for (const [name, s] of add) sum.set(name, (sum.get(name) ?? 0) + s)
  return sum
}
