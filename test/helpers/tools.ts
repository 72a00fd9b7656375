// Finds helm for the chart tests and `npm run manifests`: an explicit $WFE_HELM, then the pinned
// build (in `npm run cluster:tools`' folder once it builds helm, or where test/cluster/tools/helm's
// own `go build` put it), then PATH. A missing tool is one line saying how to get it. kubectl is
// found the same way by test/cluster/tools.ts (kubectlPath).
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtToolsDir } from '../cluster/tools.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Tool {
  name: string
  /** Environment variable naming the binary; wins over everything else. */
  env: string
  /** The pinned build, relative to the repository root. */
  pinned: string
  /** Its name in `npm run cluster:tools`' folder, when that builds it too. */
  inClusterTools?: string
  /** How to get it, for the error. */
  howToGet: string
}

export const HELM_VERSION = 'v3.22.0'

export const HELM: Tool = {
  name: 'helm',
  env: 'WFE_HELM',
  pinned: `.cache/helm-${HELM_VERSION}/helm`,
  inClusterTools: 'helm',
  howToGet: `npm run cluster:tools builds helm ${HELM_VERSION} from test/cluster/tools/helm (or: cd test/cluster/tools/helm && go build -trimpath -o ../../../../.cache/helm-${HELM_VERSION}/helm helm.sh/helm/v3/cmd/helm); or set WFE_HELM, or put helm on PATH`,
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The path of `tool`, or an Error whose message is the one line to print. */
export function resolveTool(tool: Tool, env: NodeJS.ProcessEnv = process.env, root = ROOT, clusterTools: string | undefined = builtToolsDir()): string {
  const explicit = env[tool.env]
  if (explicit !== undefined && explicit !== '') {
    if (executable(explicit)) return explicit
    throw new Error(`${tool.name}: $${tool.env} is ${explicit}, which is not an executable file`)
  }
  if (clusterTools !== undefined && tool.inClusterTools !== undefined && executable(join(clusterTools, tool.inClusterTools))) return join(clusterTools, tool.inClusterTools)
  const pinned = join(root, tool.pinned)
  if (executable(pinned)) return pinned
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, tool.name))) return join(dir, tool.name)
  }
  throw new Error(`${tool.name} not found (not $${tool.env}, not ${tool.pinned}, not on PATH): ${tool.howToGet}`)
}
