// The real thing once: `wfe-admission serve` in a child process, a stream of reviews, SIGTERM.
import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { VALIDATE_PATH } from '../../src/server/admission.js'
import { makeTestPki } from '../helpers/tls.js'
import { keepAliveAgent, postJson } from '../helpers/https.js'
import { aRequest, aReview, aWorkflowExecution } from '../helpers/objects.js'
import { waitFor } from '../helpers/wait.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const BOUND_MS = 30_000

t.test('SIGTERM during a stream of reviews: drain, answer every one, exit 0', async (t) => {
  const pki = await makeTestPki()
  const certDir = t.testdir({})
  writeFileSync(join(certDir, 'tls.crt'), pki.certPem)
  writeFileSync(join(certDir, 'tls.key'), pki.keyPem, { mode: 0o600 })
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', WFE_EVENTS: 'false' }
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--cert-dir',
      certDir,
      '--bind-address',
      '127.0.0.1',
      '--port',
      '0',
      '--probe-port',
      '0',
      '--drain-delay',
      '5s',
      '--shutdown-timeout',
      '5s',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const killer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS)
  t.teardown(() => {
    clearTimeout(killer)
    child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )

  const lines: Record<string, unknown>[] = []
  const serving = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const rec = JSON.parse(line) as Record<string, unknown>
      lines.push(rec)
      if (rec['msg'] === 'wfe-admission serving') resolve(rec)
    })
    void exited.then(() => reject(new Error(`serve exited before serving: ${stderr}`)))
  })
  const ready = await serving
  const port = ready['port'] as number
  t.type(ready['readyMs'], 'number', 'the start-up line gives the time to ready')
  t.equal(ready['certDir'], certDir)

  let sending = true
  const results: { uid: string; status?: number; got?: string; error?: string; close?: boolean }[] = []
  const answered = (close: boolean) => results.filter((r) => r.status !== undefined && r.close === close).length
  const worker = async (w: number) => {
    const agent = keepAliveAgent(pki.caPem, 1)
    for (let i = 0; sending; i++) {
      const r: (typeof results)[number] = { uid: `sig-${w}-${i}` }
      results.push(r)
      try {
        const res = await postJson(port, VALIDATE_PATH, aReview(aRequest({ object: aWorkflowExecution(), uid: r.uid })), {
          ca: pki.caPem,
          agent,
        })
        r.status = res.status
        r.got = res.json().response.uid
        r.close = res.headers['connection'] === 'close'
      } catch (err) {
        r.error = (err as Error).message
      }
    }
    agent.destroy()
  }
  const workers = Array.from({ length: 4 }, (_, w) => worker(w))
  await waitFor(() => answered(false) >= 8)
  child.kill('SIGTERM')
  // Endpoints drop the pod early in the drain delay; the clients stop sending once answers carry
  // Connection: close, which the server sends only while draining.
  await waitFor(() => lines.some((l) => l['msg'] === 'shutdown: readiness false, draining'))
  await waitFor(() => answered(true) >= 4)
  sending = false
  await Promise.all(workers)
  const { code, signal } = await exited

  t.equal(signal, null, 'not killed')
  t.equal(code, 0, `exit 0 (stderr: ${stderr})`)
  t.ok(answered(true) >= 4, 'stayed up during the drain: answers with Connection: close after SIGTERM')
  t.same(
    results.filter((r) => r.status !== 200 || r.got !== r.uid),
    [],
    'no review lost',
  )
  const ours = new Set(['wfe-admission serving', 'shutdown: readiness false, draining', 'shutdown complete'])
  t.same(
    lines.map((l) => l['msg']).filter((m) => ours.has(m as string)),
    [...ours],
    'one start-up line, then the shutdown, in order',
  )
  t.notOk(
    lines.some((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('Server listening')),
    "fastify's own listening lines are not repeated",
  )
  t.ok(lines.some((l) => l['msg'] === 'shutdown complete' && l['reason'] === 'SIGTERM'))
})
