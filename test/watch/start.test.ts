import t from 'tap'
import { createServer, type Server } from 'node:https'
import type { ServerResponse } from 'node:http'
import { pino } from 'pino'
import { issueCa, issueLeaf } from '../../src/certs/generate.js'
import { startSharedWatch } from '../../src/watch/start.js'
import { createBlockIndex } from '../../src/blocks/block-index.js'
import { listenOnLoopback, writeKubeconfig } from '../effects/fake-apiserver.js'
import { blocked, cleared } from '../blocks/block-fixtures.js'
import { waitFor } from '../helpers/wait.js'

/** Two LIST pages (limit/continue), then a watch stream the test writes events into. */
async function pagedApiserver() {
  const ca = await issueCa({ commonName: 'fake-apiserver-ca' })
  const leaf = await issueLeaf({ ca, commonName: '127.0.0.1', ips: ['127.0.0.1'], usage: 'server' })
  const urls: string[] = []
  const streams: ServerResponse[] = []
  const server: Server = createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => {
    const url = new URL(req.url ?? '', 'https://x')
    urls.push(req.url ?? '')
    if (req.headers.authorization !== 'Bearer test-token-0123456789') {
      res.writeHead(401).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    if (url.searchParams.get('watch') === 'true') {
      res.flushHeaders()
      streams.push(res)
      return
    }
    const second = url.searchParams.get('continue') === 'page-2'
    const items = second
      ? [blocked({ name: 'wfe-2', namespace: 'shop', target: 'shop/StatefulSet/db' })]
      : [blocked({ name: 'wfe-1', namespace: 'payment', target: 'payment/Deployment/api' })]
    res.end(
      JSON.stringify({
        kind: 'WorkflowExecutionList',
        metadata: { resourceVersion: '40', ...(second ? {} : { continue: 'page-2' }) },
        items,
      }),
    )
  })
  const { url, close } = await listenOnLoopback(server)
  return { url, caPem: ca.cert, urls, streams, close }
}

t.test('the real client: paginated LIST, a WATCH from its resourceVersion with bookmarks, events into the index', async (t) => {
  const api = await pagedApiserver()
  t.teardown(() => api.close())
  const kubeconfig = await writeKubeconfig(api.url, api.caPem)
  t.teardown(() => kubeconfig.cleanup())
  const index = createBlockIndex()
  const watch = await startSharedWatch({
    kubeconfigPath: kubeconfig.path,
    timeoutMs: 10_000,
    logger: pino({ level: 'silent' }),
    subscribers: [index],
    pageSize: 1,
  })
  if (watch === undefined) throw new Error('expected a watch')
  t.teardown(() => watch.close())
  await waitFor(() => api.streams.length === 1)
  t.equal(watch.isSynced(), true)
  t.equal(index.blockedTargets(), 2)
  const [first, second, watching] = api.urls.map((u) => new URL(u, 'https://x').searchParams)
  t.equal(first?.get('limit'), '1')
  t.equal(first?.get('continue'), null)
  t.equal(second?.get('continue'), 'page-2')
  t.equal(watching?.get('resourceVersion'), '40')
  t.equal(watching?.get('allowWatchBookmarks'), 'true')
  t.ok(Number(watching?.get('timeoutSeconds')) >= 300, 'the server ends each watch, so a dead connection cannot hang forever')
  const clearance = cleared({ name: 'wfe-1', namespace: 'payment', target: 'payment/Deployment/api' })
  clearance.metadata.uid = 'uid-payment-wfe-1'
  api.streams[0]?.write(
    JSON.stringify({ type: 'MODIFIED', object: { ...clearance, metadata: { ...clearance.metadata, resourceVersion: '41' } } }) + '\n',
  )
  await waitFor(() => index.blockedTargets() === 1)
  t.equal(index.lookup('payment/Deployment/api'), undefined, 'the clearance lifted the block')
  t.equal(await startSharedWatch({ timeoutMs: 1000, inCluster: false, logger: pino({ level: 'silent' }), subscribers: [] }), undefined)
})
