// The output formats of `check`; a format without a renderer does not compile.
import type { CheckReport } from '../check/report.js'
import type { RenderOptions } from './options.js'
import { renderText } from './text.js'
import { renderJson } from './json.js'
import { renderJunit } from './junit.js'
import { renderSarif } from './sarif.js'
import { renderGithub } from './github.js'

export const FORMATS = ['text', 'json', 'junit', 'sarif', 'github'] as const
export type Format = (typeof FORMATS)[number]
export type Renderer = (report: CheckReport, opts: RenderOptions) => Iterable<string>

export const RENDERERS = {
  text: renderText,
  json: renderJson,
  junit: renderJunit,
  sarif: renderSarif,
  github: renderGithub,
} as const satisfies Record<Format, Renderer>

export function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s)
}
