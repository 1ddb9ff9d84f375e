// `cutover import planetlab DIR` / `cutover import csv FILE`: a user's traces → a scenario with CloudSim's
// PlanetLab set-up (800 G4/G5 hosts, four VM types by position in the name-sorted list), the traces embedded as
// a trace pack so the file runs anywhere. Bad input exits 2 naming the file and line.
import type { Command } from 'commander'
import { writeFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { cloudsimPlanetlabScenario, formatScenarioJson, formatTracePack, validateScenario } from '../../engine/index'
import { UsageError } from '../support/errors'
import { parseNumberFlag } from '../support/flags'
import { readPlanetlabFolder, readTraceCsv, type ImportedTraces } from '../support/trace-import'

interface ImportOptions {
  out?: string
  name?: string
  intervalS?: number
  hosts?: number
}

function emit(traces: ImportedTraces, source: string, options: ImportOptions): void {
  for (const note of traces.notes) process.stderr.write(`note: ${note}\n`)
  const sampleCount = traces.series[0].samplesPct.length
  const name = options.name ?? basename(resolve(source)).replace(/\.[^.]*$/, '').replace(/\s+/g, '-')
  const document = cloudsimPlanetlabScenario({
    name: name === '' ? 'imported' : name,
    description: `imported from ${basename(source)}: ${traces.series.length} VMs, ${sampleCount} samples every ${traces.sampleIntervalS} s, CloudSim's PlanetLab set-up`,
    traceCount: traces.series.length, traces: { pack: formatTracePack(traces.series, traces.sampleIntervalS) },
    sampleIntervalS: traces.sampleIntervalS, durationH: (sampleCount * traces.sampleIntervalS) / 3600, hostCount: options.hosts
  })
  const validation = validateScenario(document)
  if (!validation.ok) throw new UsageError(validation.errors.join('\n'))
  const text = formatScenarioJson(document)
  if (options.out === undefined) { process.stdout.write(text); return }
  writeFileSync(options.out, text)
  process.stderr.write(`wrote ${options.out}: ${traces.series.length} VMs, ${sampleCount} samples\n`)
}

function commonOptions(command: Command): Command {
  return command
    .option('--out <file>', 'write the scenario here (default: stdout)')
    .option('--name <name>', 'scenario name (default: the folder or file name)')
    .option('--hosts <n>', 'number of hosts (alternating G4/G5)', parseNumberFlag('--hosts', { integer: true, min: 1, max: 10_000 }))
}

export function registerImportCommand(program: Command): void {
  const command = program.command('import').description('turn a folder or CSV of CPU traces into a scenario (CloudSim\'s PlanetLab set-up)')
  commonOptions(command.command('planetlab <dir>')
    .description('a folder in PlanetLab/CoMon format: one file per VM, one CPU % per line (288 lines = 5-minute samples)'))
    .option('--interval-s <s>', 'seconds between samples', parseNumberFlag('--interval-s', { integer: true, min: 1, max: 86_400 }), 300)
    .action((dir: string, options: ImportOptions) => emit(readPlanetlabFolder(dir, options.intervalS ?? 300), dir, options))
  commonOptions(command.command('csv <file>')
    .description('a CSV with the header vm,time_s,cpu_pct[,mem_pct]; samples on a k × interval grid, gaps hold the last value'))
    .option('--interval-s <s>', 'seconds between samples (default: the smallest gap in the file)', parseNumberFlag('--interval-s', { integer: true, min: 1, max: 86_400 }))
    .action((file: string, options: ImportOptions) => emit(readTraceCsv(file, options.intervalS), file, options))
}
