// `cutover scenarios`: the shipped presets in scenarios/, one line each (name, size, duration, description).
import type { Command } from 'commander'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateScenario } from '../../engine/index'
import { printJson } from '../support/flags'
import { PRESETS_DIR } from './run'

export interface PresetLine {
  readonly name: string
  readonly hosts: number
  readonly vms: number
  readonly durationH: number
  readonly description: string
}

export function listPresets(dir = PRESETS_DIR): PresetLine[] {
  return readdirSync(dir).filter((file) => file.endsWith('.json')).sort().map((file) => {
    const validation = validateScenario(JSON.parse(readFileSync(join(dir, file), 'utf8')))
    const name = file.slice(0, -'.json'.length)
    if (!validation.ok) return { name, hosts: 0, vms: 0, durationH: 0, description: `INVALID: ${validation.errors[0]}` }
    const s = validation.scenario
    return {
      name, hosts: s.hosts.reduce((n, h) => n + h.count, 0), vms: s.vms.reduce((n, v) => n + v.count, 0),
      durationH: s.durationH, description: s.description
    }
  })
}

export function registerScenariosCommand(program: Command): void {
  program.command('scenarios')
    .description('list the scenario presets, one line each')
    .option('--json', 'print the list as JSON')
    .action((options: { json?: boolean }) => {
      const presets = listPresets()
      if (options.json) { printJson(presets); return }
      const width = Math.max(...presets.map((p) => p.name.length))
      for (const p of presets) {
        process.stdout.write(`${p.name.padEnd(width)}  ${`${p.hosts} hosts, ${p.vms} VMs, ${p.durationH} h`.padEnd(28)}  ${p.description}\n`)
      }
    })
}
