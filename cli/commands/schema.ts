// `cutover schema`: prints the JSON Schema of scenario files, generated from the same zod schema that validates them.
import type { Command } from 'commander'
import { scenarioJsonSchema } from '../../engine/index'
import { printJson } from '../support/flags'

export function registerSchemaCommand(program: Command): void {
  program.command('schema')
    .description('print the JSON Schema of scenario files')
    .action(() => printJson(scenarioJsonSchema()))
}
