// Runs load-generator jobs in a child process (bench/generator.ts): on these 2-core machines the
// generator would otherwise share the server's event loop and measure itself.
import { fork } from 'node:child_process'
import type { Job, JobResult } from './jobs.js'

export interface Generator {
  /** Resolves when the child has its jobs and begins sending. */
  started: Promise<void>
  results: Promise<JobResult[]>
}

export function runGenerators(jobs: Job[]): Generator {
  const child = fork(new URL('./generator.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let onStart: () => void = () => {}
  const started = new Promise<void>((resolve) => {
    onStart = resolve
  })
  const results = new Promise<JobResult[]>((resolve, reject) => {
    child.on('message', (m: { type: string; results?: JobResult[]; message?: string }) => {
      if (m.type === 'started') onStart()
      else if (m.type === 'done') resolve(m.results!)
      else reject(new Error(`load generator failed: ${m.message}`))
    })
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code} before reporting`)))
    child.once('error', reject)
  })
  child.send(jobs)
  return { started, results }
}
