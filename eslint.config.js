// ESLint (flat config) with typescript-eslint's type-aware rules: what the compiler does not check
// (floating and misused promises, unsafe any), and the direction of imports between the layers of
// src/ (eslint.layers.js). Formatting is Prettier's business, not ESLint's.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { layers } from './eslint.layers.js'

export default tseslint.config(
  { ignores: ['dist/', 'build-check/', 'coverage/', '.tap/', 'certs/', 'test/cluster/tools/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A leading underscore marks a deliberately unused name (a property left out of a copy).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Flag values and decoded JSON are `unknown`; String() is the deliberate rendering in messages,
      // and the values users see go through renderValue(), which prints objects as JSON.
      '@typescript-eslint/no-base-to-string': 'off',
      // tap's t.test() returns a promise that tap itself awaits (subtests run in order); awaiting it
      // in every test would add noise, not safety.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // tap callbacks are async by convention so every subtest reads the same; one without an await is fine.
      '@typescript-eslint/require-await': 'off',
      // Tests read parsed JSON and YAML (`res.json()` and `doc.toJS()` are `any` on purpose) and
      // check their shape with tap's assertions at run time; typing each document would add casts,
      // not checks. In src/ (and demo/, bench/, scripts/) every no-unsafe-* rule is an error.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Layers point one way (eslint.layers.js says which and why).
  ...layers,
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
)
