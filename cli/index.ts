// The headless `cutover` command. Each subcommand lives in cli/commands/ and registers itself here.
// Errors become the exit codes of the CLI contract; messages go to stderr, never stdout.
import { Command, CommanderError } from 'commander'
import { ENGINE_VERSION } from '../engine/index'
import { exitCodeFor, EXIT_USAGE } from './support/errors'
import { commandRegistrations } from './commands'

export function buildProgram(): Command {
  const program = new Command('cutover')
    .description('Cutover: live-migration laboratory and datacenter simulator (headless)')
    .version(ENGINE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
  for (const register of commandRegistrations) register(program)
  for (const command of program.commands) command.exitOverride()
  return program
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' })
    return process.exitCode === undefined ? 0 : Number(process.exitCode)
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0
      return EXIT_USAGE
    }
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`cutover: ${message}\n`)
    return exitCodeFor(error)
  }
}
