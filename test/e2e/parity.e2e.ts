// Parity: for every example under examples/ (and each UPDATE pair), `wfe-admission check` and the
// real apiserver give the same verdict and name the same fields. The same cases run once more with
// the webhooks unregistered, to show what the CRD's own schema and rules enforce alone; the table in
// docs/parity.md is that comparison, checked here (WFE_UPDATE_DOCS=1 rewrites it).
import t from 'tap'
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { ROOT } from '../cluster/tools.js'
import { USERS, kubectl, kubectlOk, namespace, unregisterWebhooks, type K8sObject } from './harness.js'

interface Case {
  id: string
  doc: K8sObject
  file: string
  old?: K8sObject
  oldFile?: string
  subresource?: 'status'
}
interface Verdict {
  allowed: boolean
  fields: string[]
}

const docsIn = (file: string): K8sObject[] =>
  parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'))
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o?.kind === 'WorkflowExecution')

function cases(): Case[] {
  const out: Case[] = []
  for (const dir of ['examples/valid', 'examples/invalid']) {
    for (const f of readdirSync(join(ROOT, dir))
      .filter((n) => n.endsWith('.yaml'))
      .sort()) {
      for (const doc of docsIn(join(dir, f))) out.push({ id: `${dir}/${f}#${String(doc.metadata.name)}`, doc, file: join(dir, f) })
    }
  }
  const oldFile = 'examples/update/stored.yaml'
  const [old] = docsIn(oldFile)
  for (const f of readdirSync(join(ROOT, 'examples/update'))
    .filter((n) => n.endsWith('.yaml') && n !== 'stored.yaml')
    .sort()) {
    const subresource = f.startsWith('status-') ? ('status' as const) : undefined
    for (const doc of docsIn(join('examples/update', f)))
      out.push({
        id: `examples/update/${f}${subresource ? ' (/status)' : ''}`,
        doc,
        file: join('examples/update', f),
        old,
        oldFile,
        subresource,
      })
  }
  return out
}

// Field paths as both sides write them (`spec.targetResource: Invalid value…`, `status.phase: …`).
const FIELD = /(?:^|[\s[,"(])((?:metadata|spec|status)(?:\.[A-Za-z0-9_-]+|\[[^\]]*\])*)(?=:)/g
// Strict field validation names each field as `unknown field "spec.x"`; kubectl's resource mapping
// error (no such kind in that version) names no field: it is the apiVersion when the kind is ours, else the kind.
const UNKNOWN = /unknown field "([^"]+)"/g
const NO_MATCH = /no matches for kind "([^"]*)" in version/
function fieldsIn(text: string): string[] {
  const fields = [...[...text.matchAll(FIELD)].map((m) => m[1] as string), ...[...text.matchAll(UNKNOWN)].map((m) => m[1] as string)]
  const noMatch = NO_MATCH.exec(text)
  if (noMatch !== null) fields.push(noMatch[1] === 'WorkflowExecution' ? 'apiVersion' : 'kind')
  return [...new Set(fields)].sort()
}

function checkVerdict(c: Case): Promise<Verdict> {
  const args = [join(ROOT, 'dist/cli/main.js'), 'check', '-o', 'json']
  if (c.oldFile !== undefined) args.push('--old', c.oldFile)
  if (c.subresource !== undefined) args.push('--subresource', c.subresource)
  args.push('-')
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000 }, (_err, stdout) => {
      try {
        const results = (JSON.parse(stdout) as { results: K8sObject[] }).results
        const mine = results.find((r) => r.name === c.doc.metadata.name)
        if (mine === undefined) throw new Error(`check gave no result for ${c.id}: ${stdout}`)
        const denials = (mine.findings as K8sObject[]).filter((f) => f.severity === 'deny')
        resolve({ allowed: mine.allowed as boolean, fields: [...new Set(denials.map((f) => String(f.field)))].sort() })
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    })
    child.stdin?.end(JSON.stringify(c.doc))
  })
}

const inNs = (doc: K8sObject, ns: string): K8sObject => ({ ...structuredClone(doc), metadata: { ...doc.metadata, namespace: ns } })

/** The stored side of an UPDATE pair, written for real: created, then its status through /status. */
async function storeOld(ns: string, old: K8sObject): Promise<void> {
  const { status, ...rest } = inNs(old, ns)
  await kubectlOk(['create', '-f', '-'], { input: JSON.stringify(rest), as: USERS.orchestrator })
  if (status === undefined) return
  const args = ['patch', 'workflowexecutions.kubernaut.ai', old.metadata.name, '-n', ns, '--subresource=status', '--type=merge']
  if (status.phase !== 'Pending')
    await kubectlOk([...args, '-p', JSON.stringify({ status: { phase: 'Pending' } })], { as: USERS.controller })
  await kubectlOk([...args, '-p', JSON.stringify({ status })], { as: USERS.controller })
}

async function apiserverVerdict(c: Case, ns: string): Promise<Verdict> {
  const doc = inNs(c.doc, ns)
  let r
  if (c.old === undefined) {
    r = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: JSON.stringify(doc), as: USERS.orchestrator })
  } else {
    await storeOld(ns, c.old)
    const stored = JSON.parse(
      await kubectlOk(['get', 'workflowexecutions.kubernaut.ai', c.old.metadata.name, '-n', ns, '-o', 'json']),
    ) as K8sObject
    doc.metadata.resourceVersion = stored.metadata.resourceVersion
    const args = ['replace', '--dry-run=server', '-o', 'json', '-f', '-']
    if (c.subresource !== undefined) args.push(`--subresource=${c.subresource}`)
    r = await kubectl(args, { input: JSON.stringify(doc), as: USERS.controller })
  }
  return { allowed: r.code === 0, fields: r.code === 0 ? [] : fieldsIn(r.stderr) }
}

const verdictText = (v: Verdict): string =>
  v.allowed ? 'allowed' : `denied: ${v.fields.map((f) => `\`${f}\``).join(', ') || '(no field named)'}`

const all = cases()
const rows: { c: Case; check: Verdict; withWebhooks: Verdict; crdOnly?: Verdict }[] = []

t.test('check and the apiserver with the webhooks agree on every example', async (t) => {
  for (const c of all) {
    const ns = await namespace('e2e-parity')
    const check = await checkVerdict(c)
    const withWebhooks = await apiserverVerdict(c, ns)
    rows.push({ c, check, withWebhooks })
    t.equal(
      withWebhooks.allowed,
      check.allowed,
      `${c.id}: same verdict (check ${verdictText(check)}; apiserver ${verdictText(withWebhooks)})`,
    )
    if (!check.allowed && !withWebhooks.allowed) {
      t.same(
        withWebhooks.fields.filter((f) => check.fields.includes(f)).length > 0 || check.fields.length === 0,
        true,
        `${c.id}: the apiserver names a field check names (${withWebhooks.fields.join(', ')} vs ${check.fields.join(', ')})`,
      )
    }
  }
})

t.test('the CRD alone, webhooks unregistered', async (t) => {
  const restore = await unregisterWebhooks()
  t.teardown(restore)
  for (const row of rows) row.crdOnly = await apiserverVerdict(row.c, await namespace('e2e-parity-crd'))
  const table = [
    '| example | `wfe-admission check` | apiserver + webhooks | apiserver, CRD only |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) => `| \`${r.c.id}\` | ${verdictText(r.check)} | ${verdictText(r.withWebhooks)} | ${verdictText(r.crdOnly as Verdict)} |`,
    ),
  ].join('\n')
  const docPath = join(ROOT, 'docs/parity.md')
  const doc = readFileSync(docPath, 'utf8')
  const begin = '<!-- parity table: generated by test/e2e/parity.e2e.ts -->'
  const end = '<!-- end of parity table -->'
  const current = doc.slice(doc.indexOf(begin) + begin.length, doc.indexOf(end)).trim()
  if (process.env['WFE_UPDATE_DOCS'] === '1') {
    writeFileSync(docPath, doc.slice(0, doc.indexOf(begin) + begin.length) + '\n' + table + '\n' + doc.slice(doc.indexOf(end)))
  } else {
    t.equal(
      current,
      table,
      'docs/parity.md shows what the real apiserver did (WFE_UPDATE_DOCS=1 npm run e2e -- test/e2e/parity.e2e.ts rewrites it)',
    )
  }
})
