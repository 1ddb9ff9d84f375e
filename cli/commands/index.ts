// Every subcommand, in help order, with what the top-level help lists for it. A command's module (and the
// engine, database and zod code it imports) is loaded only when that command runs, so `cutover --help` and
// `cutover <cmd>` import little. test/cli/command-table.test.ts checks these terms and descriptions against the
// commands' own registrations. Add new commands here.
import { Help, type Command } from 'commander'

export type CommandRegistration = (program: Command) => void

export interface CommandEntry {
  readonly name: string
  /** The command's term in the top-level help, as commander prints it: name, `[options]`, arguments. */
  readonly term: string
  readonly description: string
  readonly load: () => Promise<CommandRegistration>
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'migrate', term: 'migrate [options]', description: 'migrate one VM between two hosts and report every round',
    load: async () => (await import('./migrate')).registerMigrateCommand },
  { name: 'wws', term: 'wws [options]', description: 'measure a workload\'s writable working set (distinct pages dirtied over a sliding window)',
    load: async () => (await import('./wws')).registerWwsCommand },
  { name: 'serve', term: 'serve [options]', description: 'serve the app in browser mode on 127.0.0.1 and print its URL',
    load: async () => (await import('./serve')).registerServeCommand },
  { name: 'run', term: 'run [options] <scenario>', description: 'run a datacenter scenario with one policy and print its summary',
    load: async () => (await import('./run')).registerRunCommand },
  { name: 'sweep', term: 'sweep [options] <scenario>', description: 'run policies × seeds on worker threads and compare them (mean and 95 % CI)',
    load: async () => (await import('./sweep')).registerSweepCommand },
  { name: 'merge', term: 'merge [options] <files...>', description: 'join sweep shard outputs (.json or .csv) and summarise them',
    load: async () => (await import('./merge')).registerMergeCommand },
  { name: 'policies', term: 'policies [options]', description: 'list the policies with their parameters',
    load: async () => (await import('./policies')).registerPoliciesCommand },
  { name: 'scenarios', term: 'scenarios [options]', description: 'list the scenario presets, one line each',
    load: async () => (await import('./scenarios')).registerScenariosCommand },
  { name: 'schema', term: 'schema', description: 'print the JSON Schema of scenario files',
    load: async () => (await import('./schema')).registerSchemaCommand },
  { name: 'history', term: 'history', description: 'query, export, verify and prune the migration history and its audit log (SQLite)',
    load: async () => (await import('./history')).registerHistoryCommand }
]

/** Registers a placeholder for each command: enough for the top-level help and "unknown command" suggestions. */
export function registerPlaceholders(program: Command): void {
  for (const entry of COMMANDS) program.command(entry.name).description(entry.description)
  const terms = new Map(COMMANDS.map((entry) => [entry.name, entry.term]))
  const standard = new Help()
  program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? standard.subcommandTerm(command) })
}

/** The entry of the command that `argv` (without node and script) runs, if any: `cmd …` or `help cmd`. */
export function commandEntryFor(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'))
  const name = words[0] === 'help' ? words[1] : words[0]
  return COMMANDS.find((entry) => entry.name === name)
}
