// PLACEHOLDER: the `serve` command is built by its owner this session.
import { EXIT_USAGE, type Command } from '../io.js'

export const serve: Command = async (_argv, io) => {
  io.stderr.write('wfe-admission serve: not built yet\n')
  return EXIT_USAGE
}
