import t from 'tap'
import { compileExpression } from '../../src/cel/compile.js'
import { MAX_REGEX_INPUT_LENGTH, MAX_REGEX_PATTERN_LENGTH } from '../../src/cel/regex.js'

const run = (expr: string, object: unknown) => compileExpression('r', expr, 'bool')({ object, oldObject: null, request: {}, userInfo: {} })

t.test('matches() keeps CEL semantics (unanchored RE2 search)', async (t) => {
  t.equal(run('object.s.matches("^ghcr\\\\.io/")', { s: 'ghcr.io/x' }), true)
  t.equal(run('object.s.matches("^ghcr\\\\.io/")', { s: 'ghcrxio/x' }), false)
  t.equal(run('object.s.matches("b")', { s: 'abc' }), true)
  t.equal(
    run('(object.s + "z") . matches ( "cz$" ) && object.s.matches("a")', { s: 'abc' }),
    true,
    'odd spacing and several calls are all rewritten',
  )
  t.equal(run('object.l.exists(x, x.matches("^k"))', { l: ['a', 'kk'] }), true, 'calls inside macros too')
})

t.test('a pattern must be a short string literal that is valid RE2', async (t) => {
  const fails = (expr: string, pattern: RegExp, name: string) =>
    t.throws(() => compileExpression('my-rule', expr, 'bool'), { code: 'WFE_ERR_RULE_COMPILE', message: pattern }, name)
  fails('object.s.matches(object.p)', /rule my-rule: matches\(\) at character 1: the pattern must be a string literal/, 'a variable')
  fails('object.s.matches("a" + "b")', /must be a string literal/, 'a concatenation')
  fails(
    `object.s.matches("${'a'.repeat(MAX_REGEX_PATTERN_LENGTH + 1)}")`,
    /the pattern is 257 characters, more than the 256 allowed/,
    'too long',
  )
  fails('object.s.matches("(a)\\\\1")', /invalid RE2 pattern/, 'a backreference, which only a backtracking engine has')
  fails('object.s.matches("(")', /invalid RE2 pattern/, 'a syntax error')
  fails('object.s.matchesBounded(object.p)', /string literal/, 'the internal name gets the same checks')
})

t.test('a regex input over the bound fails closed instead of running', async (t) => {
  const program = compileExpression('r', 'object.s.matches("^(a+)+$")', 'bool')
  const act = (s: string) => ({ object: { s }, oldObject: null, request: {}, userInfo: {} })
  t.equal(
    program(act('a'.repeat(MAX_REGEX_INPUT_LENGTH - 1) + 'b')),
    false,
    'a classic catastrophic pattern on a long input: linear, answered',
  )
  t.throws(() => program(act('a'.repeat(MAX_REGEX_INPUT_LENGTH + 1))), /input is 4097 characters, more than the 4096/)
})

t.test('structural limits still apply', async (t) => {
  const deep = '('.repeat(40) + 'true' + ')'.repeat(40)
  t.throws(() => compileExpression('deep', deep, 'bool'), { code: 'WFE_ERR_RULE_COMPILE', message: /^rule deep: .*depth/i })
  t.throws(
    () => compileExpression('long', 'true || '.repeat(600) + 'true', 'bool'),
    /rule long: expression is \d+ characters, more than the 4096 allowed/,
  )
})

t.test('nested comprehensions are refused at compile time; one level is fine', async (t) => {
  const { compileExpression } = await import('../../src/cel/compile.js')
  const { comprehensionNesting } = await import('../../src/cel/guard.js')
  const { Environment } = await import('@marcbachmann/cel-js')
  const env = new Environment({ unlistedVariablesAreDyn: true })
  t.equal(comprehensionNesting(env.parse('true').ast), 0)
  t.equal(comprehensionNesting(env.parse('m.all(k, k != "") && l.exists(x, x > 1)').ast), 1)
  t.equal(comprehensionNesting(env.parse('m.all(k, m.all(j, m.all(i, true)))').ast), 3)
  t.doesNotThrow(() => compileExpression('one-level', 'object.spec.parameters.all(k, k.size() < 64)', 'bool'))
  t.throws(
    () =>
      compileExpression(
        'stall',
        'object.spec.parameters.all(k, object.spec.parameters.all(j, object.spec.parameters.all(i, true)))',
        'bool',
      ),
    /rule stall: comprehensions \(all, exists, exists_one, map, filter\) are nested 3 deep; at most 1 is allowed/,
  )
  t.throws(() => compileExpression('two', '[1, 2].map(x, [3].filter(y, y > x)).size() > 0', 'bool'), /nested 2 deep/)
})
