import t from 'tap'
import type { WorkflowExecution } from '../../src/api/workflowexecution.js'
import type { WatchSubscriber } from '../../src/watch/contract.js'
import { runWatchLoop, type ListPage, type WatchTransport } from '../../src/watch/loop.js'
import { waitFor } from '../helpers/wait.js'

const obj = (name: string, rv = '1'): WorkflowExecution =>
  ({ metadata: { namespace: 'ns', name, uid: `u-${name}`, resourceVersion: rv } }) as unknown as WorkflowExecution

/** Records every subscriber call as a line. */
function recorder(): WatchSubscriber & { calls: string[] } {
  const calls: string[] = []
  return {
    name: 'recorder',
    calls,
    upsert: (o) => calls.push(`upsert ${o.metadata.name}`),
    remove: (o, how) => calls.push(`remove ${o.metadata.name} ${how}`),
    synced: (rv) => calls.push(`synced ${rv}`),
    stale: (reason) => calls.push(`stale ${reason}`),
  }
}

interface OpenWatch {
  from: string
  event(type: string, object: unknown): void
  end(err: unknown): void
  stopped: boolean
}

/** A transport the test drives: LIST answers come from `pages` (a function per call), watches are handed to the test. */
function fakeTransport(pages: (call: number, token: string | undefined) => ListPage | Error) {
  const watches: OpenWatch[] = []
  const lists: { limit: number; token: string | undefined }[] = []
  const transport: WatchTransport = {
    list: async (limit, token) => {
      lists.push({ limit, token })
      const p = pages(lists.length, token)
      if (p instanceof Error) throw p
      return p
    },
    watch: async (from, onEvent, onEnd) => {
      const w: OpenWatch = { from, event: onEvent, end: onEnd, stopped: false }
      watches.push(w)
      return () => {
        w.stopped = true
      }
    },
  }
  return { transport, watches, lists }
}

const quiet = { info: () => {}, warn: () => {} }
const gone = (): Error => Object.assign(new Error('Gone'), { statusCode: 410 })

t.test('paginated LIST, synced at its resourceVersion, then a WATCH from it with events in order', async (t) => {
  const { transport, watches, lists } = fakeTransport((_n, token) =>
    token === undefined
      ? { items: [obj('a'), obj('b')], resourceVersion: '10', continue: 'next' }
      : { items: [obj('c')], resourceVersion: '10' },
  )
  const sub = recorder()
  const watch = runWatchLoop({ transport, subscribers: [sub], logger: quiet, pageSize: 2 })
  t.teardown(() => watch.close())
  await waitFor(() => watches.length === 1)
  t.same(lists, [
    { limit: 2, token: undefined },
    { limit: 2, token: 'next' },
  ])
  t.same(sub.calls, ['upsert a', 'upsert b', 'upsert c', 'synced 10'])
  t.equal(watches[0]?.from, '10')
  t.equal(watch.isSynced(), true)
  t.equal(watch.stalenessMs(), 0)
  watches[0]?.event('MODIFIED', obj('a', '11'))
  watches[0]?.event('BOOKMARK', { metadata: { resourceVersion: '12' } })
  watches[0]?.event('DELETED', obj('b', '13'))
  t.same(sub.calls.slice(4), ['upsert a', 'remove b watch'])
  // The server ends the watch (its timeout): the next one carries on from the last resourceVersion.
  watches[0]?.end(null)
  await waitFor(() => watches.length === 2)
  t.equal(watches[1]?.from, '13')
  t.equal(watch.isSynced(), true, 'still synced across a normal re-watch')
})

t.test('410 Gone on the watch: stale, relist, and what vanished meanwhile is removed as relist', async (t) => {
  let listing = 0
  const { transport, watches } = fakeTransport(() => {
    listing++
    return listing === 1 ? { items: [obj('a'), obj('b')], resourceVersion: '10' } : { items: [obj('b')], resourceVersion: '20' }
  })
  const sub = recorder()
  const watch = runWatchLoop({ transport, subscribers: [sub], logger: quiet })
  t.teardown(() => watch.close())
  await waitFor(() => watches.length === 1)
  watches[0]?.event('ERROR', { kind: 'Status', code: 410, reason: 'Expired' })
  watches[0]?.end(null)
  await waitFor(() => watches.length === 2)
  t.same(sub.calls.slice(3), ['stale watch expired (410 Gone): relisting', 'upsert b', 'remove a relist', 'synced 20'])
  t.equal(watches[1]?.from, '20')
  t.equal(watches[0]?.stopped, true)
})

t.test('a failing LIST: stale with the reason, backoff, relist; an expired continue token restarts the list', async (t) => {
  let call = 0
  const { transport, watches, lists } = fakeTransport((_n, token) => {
    call++
    if (call === 1) return new Error('connect ECONNREFUSED 127.0.0.1:6443')
    if (call === 3 && token !== undefined) return gone()
    return token === undefined ? { items: [obj('a')], resourceVersion: '5', continue: 'p2' } : { items: [obj('b')], resourceVersion: '5' }
  })
  const sub = recorder()
  const watch = runWatchLoop({ transport, subscribers: [sub], logger: quiet, restartMs: 1 })
  t.teardown(() => watch.close())
  await waitFor(() => watches.length === 1)
  t.same(sub.calls, ['stale list failed: connect ECONNREFUSED 127.0.0.1:6443', 'upsert a', 'upsert a', 'upsert b', 'synced 5'])
  t.same(
    lists.map((l) => l.token),
    [undefined, undefined, 'p2', undefined, 'p2'],
  )
})

t.test(
  'a watch that breaks: stale until the relist; stalenessMs grows meanwhile; a throwing subscriber does not stop the others',
  async (t) => {
    let clock = 1000
    let failLists = false
    const { transport, watches } = fakeTransport(() =>
      failLists ? new Error('apiserver down') : { items: [obj('a')], resourceVersion: '1' },
    )
    const bad: WatchSubscriber = {
      ...recorder(),
      name: 'bad',
      upsert: () => {
        throw new Error('boom')
      },
    }
    const sub = recorder()
    const warnings: string[] = []
    const logger = { info: () => {}, warn: (_o: object, m: string) => warnings.push(m) }
    const watch = runWatchLoop({ transport, subscribers: [bad, sub], logger, restartMs: 1, maxRestartMs: 2, now: () => clock })
    t.teardown(() => watch.close())
    await waitFor(() => watches.length === 1)
    t.ok(sub.calls.includes('upsert a'), 'fed despite the other subscriber throwing')
    t.match(warnings, [/watch subscriber threw/])
    failLists = true
    watches[0]?.end(new Error('socket hang up'))
    t.equal(watch.isSynced(), false)
    clock += 4000
    t.equal(watch.stalenessMs(), 4000)
    await waitFor(() => sub.calls.filter((c) => c.startsWith('stale')).length >= 2)
    failLists = false
    await waitFor(() => watches.length === 2)
    t.equal(watch.isSynced(), true)
    t.equal(watch.stalenessMs(), 0)
  },
)

t.test('close: the watch stops and no subscriber is called again', async (t) => {
  const { transport, watches } = fakeTransport(() => ({ items: [], resourceVersion: '1' }))
  const sub = recorder()
  const watch = runWatchLoop({ transport, subscribers: [sub], logger: quiet })
  await waitFor(() => watches.length === 1)
  await watch.close()
  t.equal(watches[0]?.stopped, true)
  const before = sub.calls.length
  watches[0]?.event('ADDED', obj('late'))
  watches[0]?.end(new Error('closed'))
  t.equal(sub.calls.length, before)
})
