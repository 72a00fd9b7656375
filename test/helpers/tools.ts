// Finds helm and kubectl for the tests and `npm run manifests`: an explicit $WFE_HELM / $WFE_KUBECTL,
// else the pinned build in `npm run cluster:tools`' folder. Never PATH: a kubectl or helm that
// happens to be installed is of another version, and a green run would then depend on it. The unit
// suite builds the pinned pair itself before the first test (`.taprc`'s `before`, test/before.ts).
import { accessSync, constants } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureTools, toolsDir } from '../cluster/tools.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Tool {
  name: string
  /** Environment variable naming the binary; wins over the pinned build. */
  env: string
}

export const HELM: Tool = { name: 'helm', env: 'WFE_HELM' }
export const KUBECTL: Tool = { name: 'kubectl', env: 'WFE_KUBECTL' }

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The path of `tool`, or an Error whose message is the one line to print. */
export function resolveTool(tool: Tool, env: NodeJS.ProcessEnv = process.env, pinned: string = toolsDir()): string {
  const explicit = env[tool.env]
  if (explicit !== undefined && explicit !== '') {
    if (executable(explicit)) return explicit
    throw new Error(`${tool.name}: $${tool.env} is ${explicit}, which is not an executable file`)
  }
  const built = join(pinned, tool.name)
  if (executable(built)) return built
  throw new Error(
    `${tool.name} not found (not $${tool.env}, not built in ${pinned}): \`npm test\` builds the pinned one before its first test, or run \`npm run cluster:tools\` (needs Go); a ${tool.name} on PATH is never used`,
  )
}

/** resolveTool, building the pinned tool first when it is missing (needs Go). */
export async function obtainTool(tool: Tool, log?: (line: string) => void): Promise<string> {
  const explicit = process.env[tool.env]
  if (explicit === undefined || explicit === '') await ensureTools(log, [tool.name])
  return resolveTool(tool)
}
