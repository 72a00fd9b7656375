// One schema source, shown against the real apiserver: for every field the CRD declares under spec,
// an object with a value of the wrong type, and one without each required field, is refused by the
// kube-apiserver (its own schema validation, from manifests/crd) and by the offline check (the
// webhook's schema walk, derived from the same CRD), naming the same field.
import t from 'tap'
import { CRD_OPEN_API_SCHEMA } from '../../src/api/crd-schema.generated.js'
import type { OpenApiSchema } from '../../src/api/openapi.js'
import { compilePolicy } from '../../src/policy.js'
import { runCheck } from '../../src/cli/check/run.js'
import { USERS, create, namespace, wfe } from './harness.js'

interface Case {
  id: string
  field: string
  edit: (spec: Record<string, unknown>) => void
}

/** A value of another JSON type than `s` declares. */
function wrongValue(s: OpenApiSchema): unknown {
  return s.type === 'string'
    ? 12345
    : s.type === 'boolean'
      ? 'yes'
      : s.type === 'array'
        ? 'not-a-list'
        : s.type === 'object'
          ? 'not-an-object'
          : 'not-a-number'
}

/** Walks the CRD's spec schema: a wrong-typed value for each typed field, a removal for each required one. */
function cases(): Case[] {
  const out: Case[] = []
  const walk = (s: OpenApiSchema, path: string[]): void => {
    for (const [name, child] of Object.entries(s.properties ?? {})) {
      const at = [...path, name]
      const set = (spec: Record<string, unknown>, value: unknown, remove = false): void => {
        let cur = spec
        for (const p of at.slice(0, -1)) {
          if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {}
          cur = cur[p] as Record<string, unknown>
        }
        if (remove) delete cur[name]
        else cur[name] = value
      }
      if (child.type !== undefined)
        out.push({
          id: `spec.${at.join('.')} of the wrong type`,
          field: `spec.${at.join('.')}`,
          edit: (spec) => set(spec, wrongValue(child)),
        })
      if (s.required?.includes(name))
        out.push({ id: `spec.${at.join('.')} missing`, field: `spec.${at.join('.')}`, edit: (spec) => set(spec, undefined, true) })
      if (child.type === 'object' && child.properties !== undefined) walk(child, at)
    }
  }
  walk(CRD_OPEN_API_SCHEMA.properties.spec, [])
  return out
}

/** `spec.parameters[KEY]` and `spec.parameters.KEY` name the same field. */
const normal = (field: string): string => field.replace(/\[([^\]]*)\]/g, '.$1')

t.test('the apiserver and the offline check refuse the same schema violations, naming the same field', async (t) => {
  const ns = await namespace('schema')
  const policy = compilePolicy()
  const all = cases()
  t.ok(all.length >= 15, `${all.length} cases from the CRD`)
  for (const [i, c] of all.entries()) {
    const object = wfe(ns, `schema-${i}`, (w) => c.edit(w.spec as unknown as Record<string, unknown>))
    const real = await create(object, { as: USERS.orchestrator, dryRun: true })
    t.not(real.code, 0, `${c.id}: the apiserver refuses it`)
    t.ok(
      real.stderr.includes(`${c.field}:`) || real.stderr.includes(`${c.field} `),
      `${c.id}: the apiserver names ${c.field} (${real.stderr.trim().slice(0, 300)})`,
    )
    const { results } = runCheck([{ source: { file: 'case', line: 1 }, object }], undefined, policy, {
      validate: 'strict',
      subresource: '',
      userInfo: { username: 'ci' },
      dryRun: true,
      namespace: ns,
    })
    const offline = results[0]
    t.equal(offline?.allowed, false, `${c.id}: check refuses it`)
    t.ok(
      offline?.findings.some((f) => f.severity === 'deny' && normal(f.field) === c.field),
      `${c.id}: check names ${c.field} (${offline?.findings.map((f) => f.message).join('; ')})`,
    )
  }
})
