// resolveTool: $WFE_<TOOL>, else the pinned build; never PATH. Otherwise one line saying how to get it.
import t from 'tap'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { HELM, KUBECTL, resolveTool } from '../helpers/tools.js'

async function exe(path: string): Promise<string> {
  await writeFile(path, '#!/bin/sh\n')
  await chmod(path, 0o755)
  return path
}

for (const tool of [HELM, KUBECTL]) {
  t.test(`${tool.name}: the explicit variable, then the pinned build, and never PATH`, async (t) => {
    const root = t.testdir()
    const bin = join(root, 'bin')
    await mkdir(bin)
    await exe(join(bin, tool.name))
    const pinned = join(root, 'cluster-tools')
    await mkdir(pinned)
    t.throws(() => resolveTool(tool, { PATH: bin }, pinned), { message: new RegExp(`^${tool.name} not found`) }, 'one on PATH is not used')
    const built = await exe(join(pinned, tool.name))
    t.equal(resolveTool(tool, { PATH: bin }, pinned), built)
    const explicit = await exe(join(root, `my-${tool.name}`))
    t.equal(resolveTool(tool, { PATH: bin, [tool.env]: explicit }, pinned), explicit, `$${tool.env} wins over the pinned build`)
    t.throws(() => resolveTool(tool, { [tool.env]: join(root, 'nope') }, pinned), {
      message: `${tool.name}: $${tool.env} is ${join(root, 'nope')}, which is not an executable file`,
    })
  })

  t.test(`${tool.name}: none found, one line naming every place looked and how to get it`, async (t) => {
    const pinned = t.testdir()
    t.throws(() => resolveTool(tool, { PATH: '' }, pinned), {
      message: new RegExp(
        `^${tool.name} not found \\(not \\$${tool.env}, not built in ${pinned}\\): \`npm test\` builds the pinned one before its first test, or run \`npm run cluster:tools\` \\(needs Go\\); a ${tool.name} on PATH is never used$`,
      ),
    })
  })
}
