// resolveTool: $WFE_<TOOL>, then the pinned build, then PATH; otherwise one line saying how to get it.
import t from 'tap'
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HELM, resolveTool } from '../helpers/tools.js'

async function exe(path: string): Promise<string> {
  await writeFile(path, '#!/bin/sh\n')
  await chmod(path, 0o755)
  return path
}

t.test('the order: explicit variable, pinned build, PATH', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'wfe-tools-'))
  const bin = join(root, 'bin')
  await mkdir(bin)
  await mkdir(join(root, '.cache', 'helm-v3.22.0'), { recursive: true })
  const onPath = await exe(join(bin, 'helm'))
  t.equal(resolveTool(HELM, { PATH: bin }, root, undefined), onPath)
  const pinned = await exe(join(root, HELM.pinned))
  t.equal(resolveTool(HELM, { PATH: bin }, root, undefined), pinned, 'the pinned build wins over PATH')
  const explicit = await exe(join(root, 'my-helm'))
  t.equal(resolveTool(HELM, { PATH: bin, WFE_HELM: explicit }, root, undefined), explicit, '$WFE_HELM wins over both')
  const clusterTools = join(root, 'cluster-tools')
  await mkdir(clusterTools)
  const built = await exe(join(clusterTools, 'helm'))
  t.equal(resolveTool(HELM, { PATH: bin }, root, clusterTools), built, 'npm run cluster:tools\' build wins over the module\'s own')
  t.equal(resolveTool(HELM, { PATH: bin, WFE_HELM: explicit }, root, clusterTools), explicit)
  t.throws(() => resolveTool(HELM, { WFE_HELM: join(root, 'nope') }, root, undefined), { message: `helm: $WFE_HELM is ${join(root, 'nope')}, which is not an executable file` })
})

t.test('none found: one line naming every place looked and how to get it', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'wfe-tools-'))
  t.throws(() => resolveTool(HELM, { PATH: '' }, root, undefined), { message: /^helm not found \(not \$WFE_HELM, not \.cache\/helm-v3\.22\.0\/helm, not on PATH\): npm run cluster:tools builds helm v3\.22\.0 from test\/cluster\/tools\/helm[^\n]*$/ })
})
