// Finds helm and kubectl for the tests and `npm run manifests`: an explicit $WFE_HELM / $WFE_KUBECTL,
// then the pinned build in `npm run cluster:tools`' folder, then PATH. A missing tool is one line
// saying how to get it.
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtToolsDir } from '../cluster/tools.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Tool {
  name: string
  /** Environment variable naming the binary; wins over everything else. */
  env: string
  /** Its name in `npm run cluster:tools`' folder. */
  inClusterTools: string
  /** How to get it, for the error. */
  howToGet: string
}

export const HELM: Tool = {
  name: 'helm',
  env: 'WFE_HELM',
  inClusterTools: 'helm',
  howToGet: 'run `npm run cluster:tools` to build the pinned one (test/cluster/tools/helm), set WFE_HELM, or put helm on PATH',
}

export const KUBECTL: Tool = {
  name: 'kubectl',
  env: 'WFE_KUBECTL',
  inClusterTools: 'kubectl',
  howToGet: 'run `npm run cluster:tools` to build the pinned one, set WFE_KUBECTL, or put kubectl on PATH',
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
export function resolveTool(
  tool: Tool,
  env: NodeJS.ProcessEnv = process.env,
  clusterTools: string | null = builtToolsDir() ?? null,
): string {
  const explicit = env[tool.env]
  if (explicit !== undefined && explicit !== '') {
    if (executable(explicit)) return explicit
    throw new Error(`${tool.name}: $${tool.env} is ${explicit}, which is not an executable file`)
  }
  if (clusterTools !== null && executable(join(clusterTools, tool.inClusterTools))) return join(clusterTools, tool.inClusterTools)
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, tool.name))) return join(dir, tool.name)
  }
  throw new Error(`${tool.name} not found (not $${tool.env}, not built by npm run cluster:tools, not on PATH): ${tool.howToGet}`)
}
