// Resident set size, sampled every 100 ms: of this process, or of another one through /proc.
import { readFileSync } from 'node:fs'

export const MiB = 1024 * 1024

export function rssOf(pid?: number): number {
  if (pid === undefined) return process.memoryUsage.rss()
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)
  return kb === null ? NaN : Number(kb[1]) * 1024
}

export interface RssSampler {
  /** Stops sampling; the highest RSS seen since start, bytes. */
  stop(): number
}

export function sampleRss(pid?: number, everyMs = 100): RssSampler {
  let peak = rssOf(pid)
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid))
    } catch {
      // The process has exited; keep the peak seen so far.
    }
  }, everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      return peak
    },
  }
}
