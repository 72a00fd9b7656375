// resolveTool: $WFE_<TOOL>, then npm run cluster:tools' build, then PATH; otherwise one line saying how to get it.
import t from 'tap'
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HELM, KUBECTL, resolveTool } from '../helpers/tools.js'

async function exe(path: string): Promise<string> {
  await writeFile(path, '#!/bin/sh\n')
  await chmod(path, 0o755)
  return path
}

for (const tool of [HELM, KUBECTL]) {
  t.test(`${tool.name}: the order is explicit variable, pinned build, PATH`, async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'wfe-tools-'))
    const bin = join(root, 'bin')
    await mkdir(bin)
    const onPath = await exe(join(bin, tool.name))
    t.equal(resolveTool(tool, { PATH: bin }, null), onPath)
    const clusterTools = join(root, 'cluster-tools')
    await mkdir(clusterTools)
    const built = await exe(join(clusterTools, tool.name))
    t.equal(resolveTool(tool, { PATH: bin }, clusterTools), built, 'the pinned build wins over PATH')
    const explicit = await exe(join(root, `my-${tool.name}`))
    t.equal(resolveTool(tool, { PATH: bin, [tool.env]: explicit }, clusterTools), explicit, `$${tool.env} wins over both`)
    t.throws(() => resolveTool(tool, { [tool.env]: join(root, 'nope') }, null), {
      message: `${tool.name}: $${tool.env} is ${join(root, 'nope')}, which is not an executable file`,
    })
  })

  t.test(`${tool.name}: none found, one line naming every place looked and how to get it`, async (t) => {
    t.throws(() => resolveTool(tool, { PATH: '' }, null), {
      message: new RegExp(
        `^${tool.name} not found \\(not \\$${tool.env}, not built by npm run cluster:tools, not on PATH\\): run \`npm run cluster:tools\` to build the pinned one[^\\n]*$`,
      ),
    })
  })
}
