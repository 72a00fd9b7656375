// planRotation: what certs --in-cluster (the chart's tls.mode hook) keeps, renews and trusts.
import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { caProblem, planRotation, servingProblem, type RotationOptions } from '../../src/certs/rotation.js'
import { issueCa, issueLeaf } from '../../src/certs/generate.js'

const DAY = 24 * 60 * 60 * 1000
const NOW = new Date('2026-06-01T00:00:00Z')
const o: RotationOptions = { service: 'wfe-admission', namespace: 'kubernaut-system', days: 365, renewBeforeDays: 30, now: NOW }
const certs = (bundle: string): string[] => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
const fp = (pem: string): string => new X509Certificate(pem).fingerprint256

t.test('first run: a CA, a serving pair for the Service, the CA alone in the bundle', async (t) => {
  const plan = await planRotation({}, o)
  t.ok(plan.caRenewed && plan.servingRenewed)
  t.match(plan.reasons, [/new CA: no CA stored yet/, /new serving certificate: no serving certificate stored yet/])
  const leaf = new X509Certificate(plan.serving.cert)
  t.ok(leaf.checkIssued(new X509Certificate(plan.ca.cert)))
  t.match(leaf.subjectAltName, /DNS:wfe-admission\.kubernaut-system\.svc(,|$)/)
  t.equal(new Date(leaf.validTo).getTime() - NOW.getTime(), 365 * DAY)
  t.equal(new Date(new X509Certificate(plan.ca.cert).validTo).getTime() - NOW.getTime(), 3650 * DAY)
  t.same(certs(plan.bundle).map(fp), [fp(plan.ca.cert)])
})

t.test('second run (helm upgrade, the CronJob): everything kept, byte for byte', async (t) => {
  const first = await planRotation({}, o)
  const again = await planRotation({ ca: first.ca, serving: first.serving, bundle: first.bundle }, { ...o, now: new Date(NOW.getTime() + 100 * DAY) })
  t.notOk(again.caRenewed || again.servingRenewed)
  t.same(again.reasons, [])
  t.equal(again.serving, first.serving)
  t.equal(again.bundle, first.bundle)
})

t.test('the serving certificate is renewed within renewBeforeDays, under the same CA', async (t) => {
  const first = await planRotation({}, o)
  const later = { ...o, now: new Date(NOW.getTime() + 340 * DAY) }
  const plan = await planRotation({ ca: first.ca, serving: first.serving, bundle: first.bundle }, later)
  t.notOk(plan.caRenewed)
  t.ok(plan.servingRenewed)
  t.match(plan.reasons, [/expires .*within 30 days/])
  t.equal(plan.ca, first.ca)
  t.equal(plan.bundle, first.bundle, 'the apiserver\'s trust does not change')
})

t.test('a CA near its end is replaced, and the old one stays in the bundle until it expires', async (t) => {
  const oldCa = await issueCa({ notBefore: new Date(NOW.getTime() - 3000 * DAY), notAfter: new Date(NOW.getTime() + 200 * DAY) })
  const dnsNames = ['wfe-admission', 'wfe-admission.kubernaut-system', 'wfe-admission.kubernaut-system.svc', 'wfe-admission.kubernaut-system.svc.cluster.local']
  const serving = await issueLeaf({ ca: oldCa, commonName: 'x', dnsNames, notBefore: new Date(NOW.getTime() - DAY), notAfter: new Date(NOW.getTime() + 150 * DAY), usage: 'server' })
  t.match(caProblem(oldCa, o), /sooner than a new serving certificate would plus 30 days/)
  const plan = await planRotation({ ca: oldCa, serving, bundle: oldCa.cert }, o)
  t.ok(plan.caRenewed && plan.servingRenewed)
  t.match(servingProblem(serving, plan.ca, o) ?? '', /not signed by the current CA/)
  t.same(certs(plan.bundle).map(fp), [fp(plan.ca.cert), fp(oldCa.cert)], 'new CA first, the old one still trusted')
  const afterOldExpiry = await planRotation({ ca: plan.ca, serving: plan.serving, bundle: plan.bundle }, { ...o, now: new Date(NOW.getTime() + 201 * DAY) })
  t.same(certs(afterOldExpiry.bundle).map(fp), [fp(plan.ca.cert)], 'an expired predecessor leaves the bundle')
  t.notOk(afterOldExpiry.servingRenewed)
})

t.test('unusable stored material is replaced, each for a stated reason', async (t) => {
  const good = await planRotation({}, o)
  const other = await planRotation({}, o)
  t.match(caProblem({ cert: 'junk', key: good.ca.key }, o), /not a PEM certificate/)
  t.match(caProblem({ cert: good.serving.cert, key: good.serving.key }, o), /not a CA/)
  t.match(caProblem({ cert: good.ca.cert, key: other.ca.key }, o), /key does not match/)
  t.match(servingProblem({ cert: good.serving.cert, key: other.serving.key }, good.ca, o), /key does not match/)
  t.match(servingProblem(good.serving, other.ca, o), /not signed by the current CA/)
  t.match(servingProblem(good.serving, good.ca, { ...o, namespace: 'elsewhere' }), /does not name wfe-admission\.elsewhere/)
})
