// A load-generator process: gets jobs over IPC, runs them side by side, sends back the results.
// Run apart from the server (bench/fork.ts) so the server keeps an event loop of its own.
import autocannon from 'autocannon'
import { checkAnswer } from './check.js'
import { runPaced } from './raw-client.js'
import type { AutocannonJob, AutocannonResult, Job, JobResult } from './jobs.js'

async function runAutocannon(job: AutocannonJob): Promise<AutocannonResult> {
  let checked = 0
  let wrong = 0
  const wrongExamples: string[] = []
  const requests = job.entries.map((e) => ({
    method: 'POST',
    path: e.path,
    headers: { 'content-type': 'application/json' },
    body: e.body,
    onResponse: (status: number, body: string) => {
      checked++
      const why = checkAnswer(status, body, e.expect)
      if (why === undefined) return
      wrong++
      if (wrongExamples.length < 5) wrongExamples.push(`${e.name}: ${why}`)
    },
  }))
  const options: Parameters<typeof autocannon>[0] = {
    url: `https://127.0.0.1:${job.target.port}`,
    servername: 'localhost',
    tlsOptions: { ca: job.target.ca },
    connections: job.connections,
    pipelining: 1,
    timeout: 10,
    requests,
  }
  if (job.amount !== undefined) options.amount = job.amount
  if (job.durationS !== undefined) options.duration = job.durationS
  const r = await autocannon(options)
  return {
    kind: 'autocannon',
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    rps: r.requests.total / r.duration,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, p999: r.latency.p99_9, max: r.latency.max },
    checked,
    wrong,
    wrongExamples,
    durationS: r.duration,
  }
}

function run(job: Job): Promise<JobResult> {
  return job.kind === 'autocannon' ? runAutocannon(job) : runPaced(job)
}

process.once('message', (jobs: Job[]) => {
  process.send!({ type: 'started' })
  Promise.all(jobs.map(run)).then(
    (results) => process.send!({ type: 'done', results }, () => process.exit(0)),
    (err: unknown) => process.send!({ type: 'failed', message: err instanceof Error ? err.stack : String(err) }, () => process.exit(1)),
  )
})
