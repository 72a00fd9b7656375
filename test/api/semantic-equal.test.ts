import t from 'tap'
import { firstDifferences, semanticEqual } from '../../src/api/semantic-equal.js'

t.test('semanticEqual: deep, key order irrelevant, null distinct from absent, arrays in order', async (t) => {
  t.ok(semanticEqual({ a: 1, b: { c: [1, { d: 'x' }] } }, { b: { c: [1, { d: 'x' }] }, a: 1 }))
  t.notOk(semanticEqual({ a: 1 }, { a: 1, b: 2 }))
  t.notOk(semanticEqual({ a: 1, b: 2 }, { a: 1 }))
  t.notOk(semanticEqual({ a: null }, {}))
  t.notOk(semanticEqual([1, 2], [2, 1]))
  t.notOk(semanticEqual([], {}))
  t.notOk(semanticEqual(1, '1'))
  t.ok(semanticEqual(undefined, undefined))
  t.notOk(semanticEqual(undefined, null))
})

t.test('semanticEqual: nesting far deeper than the stack allows is compared iteratively', async (t) => {
  const deep = (n: number, leaf: unknown): unknown => {
    let v: unknown = leaf
    for (let i = 0; i < n; i++) v = { x: v }
    return v
  }
  t.ok(semanticEqual(deep(100_000, 1), deep(100_000, 1)))
  t.notOk(semanticEqual(deep(100_000, 1), deep(100_000, 2)))
})

t.test('firstDifferences: sorted Kubernetes paths of the first differences, up to the limit', async (t) => {
  const a = { spec: { targetResource: 'a', parameters: { 'b-c': '1', A: '1' }, list: [1, 2], same: { deep: [1] } } }
  const b = { spec: { targetResource: 'b', parameters: { 'b-c': '2', A: '1' }, list: [1, 3], same: { deep: [1] }, added: true } }
  t.same(firstDifferences(a, b, '', 10), ['spec.added', 'spec.list[1]', 'spec.parameters[b-c]', 'spec.targetResource'])
  t.same(firstDifferences(a, b, '', 2), ['spec.added', 'spec.list[1]'])
  t.same(firstDifferences(a, a, ''), [])
  t.same(firstDifferences({ x: 1 }, { x: 1 }, 'spec'), [])
})
