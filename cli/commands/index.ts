// Every subcommand's registration function, in help order. Add new commands here.
import type { Command } from 'commander'
import { registerServeCommand } from './serve'

export type CommandRegistration = (program: Command) => void

export const commandRegistrations: CommandRegistration[] = [
  registerServeCommand
]
