// PLACEHOLDER: the `check` command is built by its owner this session.
import { EXIT_USAGE, type Command } from '../io.js'

export const check: Command = async (_argv, io) => {
  io.stderr.write('wfe-admission check: not built yet\n')
  return EXIT_USAGE
}
