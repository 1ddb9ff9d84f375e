// The headless `cutover` command. Each subcommand lives in cli/commands/ and is loaded only when it runs (the
// top-level help lists placeholders). Errors become the exit codes of the CLI contract; messages go to stderr.
import { Command, CommanderError } from 'commander'
import { exitCodeFor, EXIT_USAGE } from './support/errors'
import { COMMANDS, commandEntryFor, registerPlaceholders, type CommandRegistration } from './commands'

/**
 * The engine version for `-V`, loaded only when asked for: the engine's front door brings in the whole engine,
 * which `cutover --help` and the lighter commands should not pay for. Commander shows it only on `-V`.
 */
async function versionFor(argv: readonly string[]): Promise<string> {
  if (!argv.includes('-V') && !argv.includes('--version')) return ''
  return (await import('../engine/index')).ENGINE_VERSION
}

function baseProgram(version: string): Command {
  return new Command('cutover')
    .description('Cutover: live-migration laboratory and datacenter simulator (headless)')
    .version(version)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
}

function withRegistrations(program: Command, registrations: readonly CommandRegistration[]): Command {
  for (const register of registrations) register(program)
  for (const command of program.commands) command.exitOverride()
  return program
}

/** The program as `argv` needs it: the one command it names, or placeholders for the top-level help. */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const entry = commandEntryFor(argv)
  const version = await versionFor(argv)
  if (entry === undefined) return withRegistrations(baseProgram(version), [registerPlaceholders])
  return withRegistrations(baseProgram(version), [await entry.load()])
}

/** Every command fully registered (tests compare it with the placeholders). */
export async function buildFullProgram(): Promise<Command> {
  return withRegistrations(baseProgram(''), await Promise.all(COMMANDS.map((entry) => entry.load())))
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv as string[], { from: 'user' })
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
