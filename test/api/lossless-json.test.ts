import t from 'tap'
import fc from 'fast-check'
import { cloneJson, exactInteger, parseJson, sameNumber } from '../../src/api/lossless-json.js'
import { firstDifferences, semanticEqual } from '../../src/api/semantic-equal.js'

t.test('the same values as JSON.parse, for any JSON', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v)
      t.same(parseJson(text), JSON.parse(text))
      return true
    }),
    { numRuns: 300 },
  )
  for (const bad of ['{', '{"a":12345678901234567890x}', '[1 12345678901234567890]', '00000000000000000001', '{"a":-}', '']) {
    t.throws(() => parseJson(bad), SyntaxError, `${JSON.stringify(bad)} is still invalid`)
  }
})

t.test('integers a double cannot hold keep their exact value, by holder and key', async (t) => {
  const v = parseJson(
    '{"a": 9007199254740993, "b": [1, -9223372036854775808, 12.5e20], "c": {"d":9007199254740992}, "e": 9007199254740991}',
  ) as any
  t.equal(v.a, 9007199254740992, 'still a number for every rule, CEL and the schema')
  t.equal(exactInteger(v, 'a'), 9007199254740993n)
  t.equal(exactInteger(v.b, 1), -9223372036854775808n)
  t.equal(exactInteger(v.b, 2), undefined, 'not an integer literal: Go reads a float64 too')
  t.equal(exactInteger(v.c, 'd'), 9007199254740992n)
  t.equal(exactInteger(v, 'e'), undefined, 'a safe integer needs nothing on the side')
})

t.test('strings are never taken for numbers, however they look', async (t) => {
  const text = '{"digest":"sha256:9007199254740993123","s":": 12345678901234567890,","k":"\\\\","n":12345678901234567890}'
  const v = parseJson(text) as any
  t.equal(v.digest, 'sha256:9007199254740993123')
  t.equal(v.s, ': 12345678901234567890,')
  t.equal(v.k, '\\')
  t.equal(exactInteger(v, 'n'), 12345678901234567890n)
  const marker = parseJson('{"x":"~int:00:123","n":12345678901234567890}') as any
  t.equal(marker.x, '~int:00:123', 'a string shaped like a marker is left alone (the marker is random per body)')
})

t.test('comparisons are exact: a change beyond 2^53 is a change', async (t) => {
  const old = parseJson('{"spec":{"workflowRef":{"engineConfig":{"jobTemplateId":9007199254740992,"ids":[9007199254740992]}}}}') as any
  const same = parseJson('{"spec":{"workflowRef":{"engineConfig":{"ids":[9007199254740992],"jobTemplateId":9007199254740992}}}}') as any
  const changed = parseJson('{"spec":{"workflowRef":{"engineConfig":{"jobTemplateId":9007199254740993,"ids":[9007199254740993]}}}}') as any
  t.equal(old.spec.workflowRef.engineConfig.jobTemplateId, changed.spec.workflowRef.engineConfig.jobTemplateId, 'equal as doubles')
  t.ok(semanticEqual(old, same))
  t.notOk(semanticEqual(old, changed))
  t.same(firstDifferences(old.spec, changed.spec, 'spec').sort(), [
    'spec.workflowRef.engineConfig.ids[0]',
    'spec.workflowRef.engineConfig.jobTemplateId',
  ])
  // A literal with a fraction is a float64 in Go too: compared as the double it is.
  t.ok(sameNumber(9007199254740992, {}, 9007199254740992, {}, 'x'))
})

t.test('cloneJson keeps the exact values; a YAML reader can record them too', async (t) => {
  const v = parseJson('{"a":{"b":[9007199254740993]},"__proto__":{"x":1}}') as any
  const c = cloneJson(v)
  t.not(c.a.b, v.a.b)
  t.equal(exactInteger(c.a.b, 0), 9007199254740993n)
  t.ok(Object.prototype.hasOwnProperty.call(c, '__proto__'), '__proto__ stays an own property')
  t.equal(Object.getPrototypeOf(c), Object.prototype)
})
