// PLACEHOLDER: the `certs` command is built by its owner this session.
import { EXIT_USAGE, type Command } from '../io.js'

export const certs: Command = async (_argv, io) => {
  io.stderr.write('wfe-admission certs: not built yet\n')
  return EXIT_USAGE
}
