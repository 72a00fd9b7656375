// No container engine runs here, so the image is checked by reading the Dockerfile: two stages,
// Node 22, a shell-less non-root runtime, and an ENTRYPOINT that reaches the built CLI's serve
// command with the controller-runtime cert dir. The build stage's npm commands run in CI.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SERVE_FLAGS as SERVE_FLAGS_TABLE, type FlagSpec } from '../../src/cli/flags.js'
import { ROOT, kustomize, one } from '../manifests/kustomize.js'

// Read as rows: these tests look flags up by a name they compute.
const SERVE_FLAGS: readonly FlagSpec[] = SERVE_FLAGS_TABLE

interface Instruction {
  op: string
  args: string
}
interface Stage {
  from: string
  name?: string
  instructions: Instruction[]
}

/** Dockerfile → stages of instructions; joins `\` continuations and drops comments. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const stages: Stage[] = []
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? []
    if (op.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? []
      stages.push(name === undefined ? { from, instructions: [] } : { from, name, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args })
    }
  }
  return stages
}

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
const build = stages[0] as Stage
const runtime = stages.at(-1) as Stage
const all = (stage: Stage, op: string): string[] => stage.instructions.filter((i) => i.op === op).map((i) => i.args)
const last = (stage: Stage, op: string): string | undefined => all(stage, op).at(-1)

t.test('multi-stage: Node 22 build stage, distroless Node 22 runtime', async (t) => {
  t.ok(stages.length >= 2, 'at least two stages')
  t.match(build.from, /^node:22[.-]/, 'build on Node 22 (Node 20 is end of life)')
  t.match(runtime.from, /^gcr\.io\/distroless\/nodejs22-debian\d+(:nonroot)?(@sha256:[0-9a-f]{64})?$/, 'distroless Node 22 runtime')
  t.equal(all(runtime, 'RUN').length, 0, 'no RUN in the runtime stage: it has no shell')
})

t.test('build stage: locked install without lifecycle scripts, compile, drop dev dependencies', async (t) => {
  const runs = all(build, 'RUN').join(' && ')
  t.match(runs, /npm ci\b[^&]*--ignore-scripts/)
  t.match(runs, /npm run build/)
  t.match(runs, /npm prune --omit=dev/)
  t.ok(runs.indexOf('npm run build') < runs.indexOf('npm prune'), 'prune after the build needs tsc')
  for (const copy of all(build, 'COPY')) {
    const sources = copy
      .split(/\s+/)
      .filter((s) => !s.startsWith('--'))
      .slice(0, -1)
    for (const s of sources) t.ok(existsSync(join(ROOT, s)), `COPY source ${s} exists in the repository`)
  }
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>
  t.match(scripts.build, /tsc -p tsconfig\.build\.json/)
})

t.test('runtime stage: numeric non-root user, app files from the build stage, ports', async (t) => {
  t.equal(last(runtime, 'USER'), '65532:65532', 'numeric uid:gid so runAsNonRoot can verify it')
  t.equal(last(runtime, 'WORKDIR'), '/app')
  const copies = all(runtime, 'COPY')
  for (const path of ['dist', 'node_modules', 'package.json']) {
    t.ok(
      copies.some((c) => new RegExp(`^--from=${build.name ?? '0'}\\s+\\S*/${path}\\s`).test(c)),
      `copies ${path} from the build stage`,
    )
  }
  const expose = (last(runtime, 'EXPOSE') ?? '').split(/\s+/).map(Number).sort()
  const def = (name: string): unknown => SERVE_FLAGS.find((f) => f.name === name)?.default
  t.same(expose, [def('probe-port'), def('port')].map(Number).sort())
})

t.test("cert dir default: the serve flag's env var set to the controller-runtime path", async (t) => {
  const certDir = SERVE_FLAGS.find((f) => f.name === 'cert-dir')
  t.equal(certDir?.env, 'WFE_CERT_DIR')
  const env = all(runtime, 'ENV').join(' ')
  t.match(env, /(^|\s)WFE_CERT_DIR=\/tmp\/k8s-webhook-server\/serving-certs(\s|$)/)
})

t.test("ENTRYPOINT runs the built CLI's serve command, and the Deployment adds only flags", async (t) => {
  const entrypoint = JSON.parse(last(runtime, 'ENTRYPOINT') ?? 'null') as string[]
  t.ok(Array.isArray(entrypoint), 'exec form: no shell to interpret a string')
  t.same(entrypoint, ['/nodejs/bin/node', '/app/dist/cli/main.js', 'serve'])
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }
  t.equal(`/app/${pkg.bin['wfe-admission']}`, entrypoint[1], "the entrypoint is the package's bin")
  t.ok(existsSync(join(ROOT, 'src/cli/main.ts')), 'compiled from src/cli/main.ts by tsconfig.build.json')

  const deployment = one(await kustomize('manifests'), 'Deployment', 'wfe-admission')
  const container = deployment.spec.template.spec.containers[0]
  t.notOk(container.command, 'the Deployment keeps the image ENTRYPOINT')
  const argv = [...entrypoint, ...container.args]
  t.equal(argv.filter((a) => a === 'serve').length, 1, `one serve in ${argv.join(' ')}`)
  t.equal(container.securityContext.runAsUser, 65532, "the Deployment runs as the image's user")
})

t.test('.dockerignore keeps the build context to what the build stage copies', async (t) => {
  const ignored = new Set(
    readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  )
  for (const p of ['.git', 'node_modules', 'dist', 'certs', 'test', 'bench', 'coverage']) t.ok(ignored.has(p), `${p} is ignored`)
  for (const p of ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'])
    t.notOk(ignored.has(p), `${p} stays in the context`)
})
