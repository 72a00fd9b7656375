// `npm run cluster:tools`: builds the pinned kube-apiserver, kubectl, etcd (and helm) from the Go
// modules under test/cluster/tools into .cache/cluster-tools/<key>/, where <key> names the Kubernetes
// release and hashes the module files, so a changed pin gets a new folder and an unchanged one is
// reused in seconds. The last line printed is that folder, for PATH.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MODULE = join(ROOT, 'test/cluster/tools')
const MIN_GO = [1, 24] as const
export const GO_MISSING = `Go >= ${MIN_GO.join('.')} is needed to build the pinned kube-apiserver`

interface Tool {
  /** File name in the cache folder. */
  name: string
  /** Go module folder (relative to MODULE) and package to build. */
  module: string
  pkg: string
  ldflags?: (versions: Versions) => string[]
}

interface Versions {
  kubernetes: string
  helm: string
}

function versionFlags(pkgs: readonly string[], version: string): string[] {
  const [major = '0', minor = '0'] = version.replace(/^v/, '').split('.')
  // What the release build stamps, so `kubectl version` and the apiserver's /version tell the truth
  // (helm and kubectl parse the server version).
  return pkgs.flatMap((p) => [
    `-X ${p}.gitVersion=${version}`,
    `-X ${p}.gitMajor=${major}`,
    `-X ${p}.gitMinor=${minor}`,
    `-X ${p}.gitTreeState=clean`,
    `-X ${p}.buildDate=1970-01-01T00:00:00Z`,
  ])
}

const K8S_VERSION_PKGS = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']

export const TOOLS: readonly Tool[] = [
  { name: 'etcd', module: '.', pkg: './etcd' },
  { name: 'kubectl', module: '.', pkg: 'k8s.io/kubernetes/cmd/kubectl', ldflags: (v) => versionFlags(K8S_VERSION_PKGS, v.kubernetes) },
  {
    name: 'kube-apiserver',
    module: '.',
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    ldflags: (v) => versionFlags(K8S_VERSION_PKGS, v.kubernetes),
  },
  // The garbage collector and the namespace controller, so the e2e suite deletes owners and
  // namespaces for real instead of impersonating the controllers.
  {
    name: 'kube-controller-manager',
    module: '.',
    pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager',
    ldflags: (v) => versionFlags(K8S_VERSION_PKGS, v.kubernetes),
  },
  // helm in a module of its own, so its dependencies never move the Kubernetes pins. Its Makefile
  // stamps the version and the Kubernetes release that `helm template`/`lint` assume (else 1.20,
  // and the chart's kubeVersion constraint refuses to render).
  {
    name: 'helm',
    module: 'helm',
    pkg: 'helm.sh/helm/v3/cmd/helm',
    ldflags: (v) => {
      const [major = '1', minor = '0'] = v.kubernetes.replace(/^v/, '').split('.')
      return [
        `-X helm.sh/helm/v3/internal/version.version=${v.helm}`,
        '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
        ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((p) => [
          `-X helm.sh/helm/v3/${p}.k8sVersionMajor=${major}`,
          `-X helm.sh/helm/v3/${p}.k8sVersionMinor=${minor}`,
        ]),
      ]
    },
  },
]

function requiredVersion(goMod: string, module: string): string {
  const m = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[.]/g, '\\.')}\\s+(v\\S+)`, 'm').exec(goMod)
  if (m?.[1] === undefined) throw new Error(`${module} is not required in test/cluster/tools/go.mod`)
  return m[1]
}

export function pinnedVersions(): Versions {
  return {
    kubernetes: requiredVersion(readFileSync(join(MODULE, 'go.mod'), 'utf8'), 'k8s.io/kubernetes'),
    helm: requiredVersion(readFileSync(join(MODULE, 'helm/go.mod'), 'utf8'), 'helm.sh/helm/v3'),
  }
}

const MODULE_FILES = ['go.mod', 'go.sum', 'etcd/main.go', 'helm/go.mod', 'helm/go.sum']

/** The cache folder for the current pins; it changes whenever a module file or a build flag does. */
export function toolsDir(): string {
  const hash = createHash('sha256')
  for (const file of MODULE_FILES) hash.update(readFileSync(join(MODULE, file)))
  hash.update(JSON.stringify(TOOLS.map((t) => [t.name, t.pkg, t.ldflags?.(pinnedVersions()) ?? []])))
  return join(ROOT, '.cache/cluster-tools', `k8s-${pinnedVersions().kubernetes}-${hash.digest('hex').slice(0, 10)}`)
}

const STAMP = '.complete'

/** The folder holding every pinned binary, or undefined when it has not been (fully) built. */
export function builtToolsDir(): string | undefined {
  const dir = toolsDir()
  return existsSync(join(dir, STAMP)) ? dir : undefined
}

/** `go version` as [major, minor], or undefined when there is no usable go command. */
function goVersion(env: NodeJS.ProcessEnv): [number, number] | undefined {
  const r = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 30_000, env })
  const m = /go(\d+)\.(\d+)/.exec(r.stdout ?? '')
  return r.status === 0 && m ? [Number(m[1]), Number(m[2])] : undefined
}

/** Throws the one line a user needs when the go command is missing or too old. */
export function requireGo(env: NodeJS.ProcessEnv = process.env): void {
  const go = goVersion(env)
  if (go === undefined || go[0] < MIN_GO[0] || (go[0] === MIN_GO[0] && go[1] < MIN_GO[1])) {
    throw new ToolsError(go === undefined ? `${GO_MISSING} (no \`go\` command found on PATH)` : `${GO_MISSING} (found go${go.join('.')})`)
  }
}

function build(tool: Tool, out: string, versions: Versions, log: (s: string) => void): Promise<void> {
  const args = ['build', '-trimpath', '-v', '-o', out]
  const ldflags = tool.ldflags?.(versions) ?? []
  if (ldflags.length > 0) args.push('-ldflags', ldflags.join(' '))
  args.push(tool.pkg)
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, {
      cwd: join(MODULE, tool.module),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GOFLAGS: '-mod=readonly' },
    })
    let compiled = 0
    let tail = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-8000)
      // `go build -v` names each package it compiles: a count is honest progress without noise.
      const lines = chunk.split('\n').filter((l) => /^[\w.-]+(\/[\w.@~-]+)*$/.test(l.trim()))
      const before = compiled
      compiled += lines.length
      if (Math.floor(compiled / 100) > Math.floor(before / 100)) log(`  ${tool.name}: ${compiled} packages compiled`)
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve()
      else reject(new Error(`go build ${tool.pkg} failed (exit ${String(code)}):\n${tail.trim()}`))
    })
  })
}

/**
 * Builds whatever is missing of `only` (every tool by default) and returns the folder; prints
 * progress through `log`. The unit suite asks for kubectl and helm alone, so a fresh clone's
 * `npm test` does not wait for the control plane's binaries.
 */
export async function ensureTools(
  log: (s: string) => void = (s) => process.stderr.write(s + '\n'),
  only: readonly string[] = TOOLS.map((t) => t.name),
): Promise<string> {
  const ready = builtToolsDir()
  if (ready !== undefined) return ready
  const wanted = TOOLS.filter((t) => only.includes(t.name))
  if (wanted.every((t) => existsSync(join(toolsDir(), t.name)))) return toolsDir()
  requireGo()
  const dir = toolsDir()
  const versions = pinnedVersions()
  // Folders of earlier pins are dead weight (hundreds of MB each): a changed pin replaces them.
  const parent = dirname(dir)
  for (const old of existsSync(parent) ? readdirSync(parent) : []) {
    if (join(parent, old) === dir) continue
    log(`removing the stale tools folder ${join(parent, old)} (built for other pins)`)
    await rm(join(parent, old), { recursive: true, force: true })
  }
  await mkdir(dir, { recursive: true })
  log(
    `building ${wanted.map((t) => t.name).join(', ')} (Kubernetes ${versions.kubernetes}, helm ${versions.helm}) into ${dir} (the first build takes several minutes; Go's cache makes later ones quick)`,
  )
  for (const tool of wanted) {
    const target = join(dir, tool.name)
    if (existsSync(target)) {
      log(`  ${tool.name}: already built`)
      continue
    }
    log(`  ${tool.name}: building ${tool.pkg}`)
    // Built under a temporary name and renamed, so an interrupted build never leaves a half binary.
    const partial = `${target}.partial`
    await rm(partial, { force: true })
    await build(tool, partial, versions, log)
    await rename(partial, target)
    log(`  ${tool.name}: done`)
  }
  if (TOOLS.every((t) => existsSync(join(dir, t.name))))
    await writeFile(join(dir, STAMP), JSON.stringify({ versions, tools: TOOLS.map((t) => t.name) }) + '\n')
  return dir
}

export class ToolsError extends Error {}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `tsx test/cluster/tools.ts [NAME...]`: only those tools (the unit suite's `before` asks for kubectl and helm).
  const names = process.argv.slice(2)
  const unknown = names.filter((n) => !TOOLS.some((t) => t.name === n))
  if (unknown.length > 0) {
    process.stderr.write(`cluster:tools: unknown tool ${unknown.join(', ')}; known: ${TOOLS.map((t) => t.name).join(', ')}\n`)
    process.exit(2)
  }
  ensureTools(undefined, names.length === 0 ? undefined : names).then(
    (dir) => process.stdout.write(dir + '\n'),
    (err: unknown) => {
      process.stderr.write(`cluster:tools: ${err instanceof ToolsError ? err.message : err instanceof Error ? err.message : String(err)}\n`)
      process.exit(1)
    },
  )
}
