// `npm run generate`: rewrites the files generated from other sources of truth (the CRD's schema).
import { readFileSync, writeFileSync } from 'node:fs'
import { crdOpenApiSchema, GENERATED_FILE, renderGeneratedSchema } from './crd-schema.js'

const before = readFileSync(GENERATED_FILE, 'utf8')
const after = renderGeneratedSchema(crdOpenApiSchema())
if (after !== before) writeFileSync(GENERATED_FILE, after)
console.log(after === before ? 'src/api/crd-schema.generated.ts is up to date' : 'src/api/crd-schema.generated.ts regenerated from the CRD')
