// CPU time of another process (user + system, from /proc/<pid>/stat), for CPU µs per review: less
// sensitive than throughput to other processes on a shared machine, since waiting costs no CPU.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

let ticksPerSecond: number | undefined

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** Seconds of CPU the process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / clockTicks()
}

/** CPU µs per answered review between two readings. */
export function cpuUsPerReview(before: number, after: number, reviews: number): number {
  return reviews === 0 ? NaN : ((after - before) * 1e6) / reviews
}
