import t from 'tap'
import {
  FieldPath,
  aggregate,
  causes,
  duplicate,
  errorString,
  forbidden,
  internal,
  invalid,
  notSupported,
  required,
  tooLong,
} from '../../src/admission/field.js'

t.test('paths join names with dots and put subscripts in brackets, keys unquoted', async (t) => {
  const p = FieldPath.root('spec').child('parameters').key('NAMESPACE')
  t.equal(p.toString(), 'spec.parameters[NAMESPACE]')
  t.equal(FieldPath.root('status', 'conditions').index(0).child('status').toString(), 'status.conditions[0].status')
  t.equal(FieldPath.root('a').child('b', 'c').toString(), 'a.b.c')
})

t.test('each constructor renders like apimachinery', async (t) => {
  t.equal(
    errorString(invalid('spec.targetResource', 'payment//api', 'must be namespace/kind/name or kind/name')),
    'spec.targetResource: Invalid value: "payment//api": must be namespace/kind/name or kind/name',
  )
  t.equal(
    errorString(notSupported('status.phase', 'Skipped', ['Pending', 'Running'])),
    'status.phase: Unsupported value: "Skipped": supported values: "Pending", "Running"',
  )
  t.equal(
    errorString(required('spec.workflowRef.version', 'must not be empty')),
    'spec.workflowRef.version: Required value: must not be empty',
  )
  t.equal(errorString(required('spec.workflowRef.version')), 'spec.workflowRef.version: Required value')
  t.equal(errorString(forbidden('spec', 'spec is immutable')), 'spec: Forbidden: spec is immutable')
  t.equal(errorString(tooLong('metadata.name', 253)), 'metadata.name: Too long: may not be more than 253 bytes')
  t.equal(errorString(duplicate('x', 'a')), 'x: Duplicate value: "a"')
  t.equal(errorString(internal('spec', new Error('boom'))), 'spec: Internal error: boom')
})

t.test('values: strings quoted, numbers and booleans bare, the rest JSON', async (t) => {
  t.equal(errorString(invalid('f', 1.5, 'd')), 'f: Invalid value: 1.5: d')
  t.equal(errorString(invalid('f', true, 'd')), 'f: Invalid value: true: d')
  t.equal(errorString(invalid('f', { a: 1 }, 'd')), 'f: Invalid value: {"a":1}: d')
  t.equal(errorString(invalid('f', undefined, 'd')), 'f: Invalid value: null: d')
  t.equal(errorString(invalid('', 'v', 'd')), 'Invalid value: "v": d')
})

t.test('aggregate drops duplicates, prints one bare and several in brackets', async (t) => {
  const a = invalid('a', 'x', 'bad')
  const b = required('b')
  t.equal(aggregate([a]), 'a: Invalid value: "x": bad')
  t.equal(aggregate([a, a, b]), '[a: Invalid value: "x": bad, b: Required value]')
  t.same(causes([a, b]), [
    { type: 'FieldValueInvalid', field: 'a', message: 'Invalid value: "x": bad' },
    { type: 'FieldValueRequired', field: 'b', message: 'Required value' },
  ])
})

t.test('a field error carries no rule id: the core stamps it, a call site cannot give one', async (t) => {
  // @ts-expect-error the constructors take no rule id (tsc fails here if one is accepted again)
  const e = invalid('a', 1, 'd', 'rule-x')
  t.notOk('origin' in e)
})
