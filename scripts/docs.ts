// `npm run docs`: regenerates the README's flag and rule tables from the code.
import { readFileSync, writeFileSync } from 'node:fs'
import { renderGenerated } from './readme-tables.js'

const path = new URL('../README.md', import.meta.url)
const before = readFileSync(path, 'utf8')
const after = renderGenerated(before)
if (after !== before) writeFileSync(path, after)
console.log(after === before ? 'README.md tables are up to date' : 'README.md tables regenerated')
