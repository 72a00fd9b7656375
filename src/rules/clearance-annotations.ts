// PLACEHOLDER: filled in by the rule family's owner this session.
import type { Rule } from './define.js'

export const clearanceAnnotationRules: Rule[] = []
