// kubeExchange's bounds against a loopback HTTPS endpoint: the timeout names the deadline, the
// caller's signal aborts a call in flight or before it starts, and a settled call leaves no timer
// or listener behind (it does not hold the process open, and a later abort changes nothing).
import t from 'tap'
import { kubeExchange } from '../../src/kube/request.js'
import { fakeApiserverClient } from '../effects/fake-apiserver.js'

async function client(mode: 'answer' | 'hang') {
  return (await fakeApiserverClient(t, mode)).kc
}

t.test('an answer comes back with its status and text; the signal is let go', async (t) => {
  const kc = await client('answer')
  const controller = new AbortController()
  const answer = await kubeExchange(kc, {
    method: 'POST',
    path: '/api/v1/namespaces/x/configmaps',
    body: {},
    timeoutMs: 5000,
    signal: controller.signal,
  })
  t.equal(answer.status, 201)
  t.type(answer.text, 'string')
  controller.abort()
  t.pass('aborting after the answer throws nothing and rejects nothing')
})

t.test('no answer within the timeout is an error that says which deadline', async (t) => {
  const kc = await client('hang')
  await t.rejects(kubeExchange(kc, { path: '/api/v1/namespaces/x/configmaps/y', timeoutMs: 200 }), {
    message: /^no answer from https:\/\/127\.0\.0\.1:\d+ within 0\.2s$/,
  })
})

t.test("the caller's signal aborts a call in flight, and one already aborted never sends", async (t) => {
  const kc = await client('hang')
  const controller = new AbortController()
  const call = kubeExchange(kc, { path: '/api/v1/namespaces/x/configmaps/y', timeoutMs: 60_000, signal: controller.signal })
  setImmediate(() => controller.abort())
  await t.rejects(call, { name: 'AbortError' })
  await t.rejects(kubeExchange(kc, { path: '/x', timeoutMs: 60_000, signal: AbortSignal.abort() }), { name: 'AbortError' })
})
