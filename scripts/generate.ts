// `npm run generate`: rewrites the files generated from other sources of truth (the CRD's schema).
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import prettier from 'prettier'
import { crdOpenApiSchema, GENERATED_FILE, renderGeneratedSchema } from './crd-schema.js'

const before = readFileSync(GENERATED_FILE, 'utf8')
// Written as `npm run format` would leave it, so `format:check` passes right after generating.
const filepath = fileURLToPath(GENERATED_FILE)
const after = await prettier.format(renderGeneratedSchema(crdOpenApiSchema()), { ...(await prettier.resolveConfig(filepath)), filepath })
if (after !== before) writeFileSync(GENERATED_FILE, after)
console.log(after === before ? 'src/api/crd-schema.generated.ts is up to date' : 'src/api/crd-schema.generated.ts regenerated from the CRD')
