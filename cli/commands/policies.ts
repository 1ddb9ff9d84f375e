// `cutover policies`: every policy name (built-ins, plugins given with --plugin) with its parameters and defaults.
import type { Command } from 'commander'
import type { PolicyInfo } from '../../engine/index'
import { printJson } from '../support/flags'
import { collectList, registryWithPlugins } from './run'

function describe(info: PolicyInfo): string {
  const lines = [`${info.name}: ${info.summary}`]
  for (const param of info.params) {
    const range = param.choices !== undefined ? ` (${param.choices.join('|')})`
      : param.min !== undefined || param.max !== undefined ? ` (${param.min ?? ''}…${param.max ?? ''})` : ''
    lines.push(`    ${param.name}=${String(param.defaultValue)}${range}  ${param.description}`)
  }
  return lines.join('\n')
}

export function registerPoliciesCommand(program: Command): void {
  program.command('policies')
    .description('list the policies with their parameters')
    .option('--plugin <module>', 'also load a policy module, repeatable', collectList)
    .option('--json', 'print the list as JSON')
    .action(async (options: { plugin?: string[]; json?: boolean }) => {
      const policies = (await registryWithPlugins(options.plugin ?? [])).list()
      if (options.json) { printJson(policies); return }
      process.stdout.write(policies.map(describe).join('\n') + '\n')
      process.stdout.write('Any <detector>-<selector> pair also works: detectors thr, iqr, mad, lr, lrr; selectors mmt, rs, mc, mu.\n')
    })
}
