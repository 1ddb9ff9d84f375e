// Every subcommand's registration function, in help order. Add new commands here.
import type { Command } from 'commander'
import { registerMigrateCommand } from './migrate'
import { registerWwsCommand } from './wws'
import { registerServeCommand } from './serve'
import { registerRunCommand } from './run'
import { registerSweepCommand } from './sweep'
import { registerMergeCommand } from './merge'
import { registerPoliciesCommand } from './policies'
import { registerScenariosCommand } from './scenarios'
import { registerSchemaCommand } from './schema'
import { registerHistoryCommand } from './history'
import { registerImportCommand } from './import'

export type CommandRegistration = (program: Command) => void

export const commandRegistrations: CommandRegistration[] = [
  registerMigrateCommand,
  registerWwsCommand,
  registerServeCommand,
  registerRunCommand,
  registerSweepCommand,
  registerMergeCommand,
  registerPoliciesCommand,
  registerScenariosCommand,
  registerSchemaCommand,
  registerHistoryCommand,
  registerImportCommand
]
