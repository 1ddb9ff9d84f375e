// `cutover sweep <scenario>`: one run per (policy, seed) on worker threads, a progress bar on stderr, then the
// mean and 95 % confidence interval of every summary field per policy. Results are ordered by (policy as given,
// seed), never by completion, so a parallel sweep equals a serial one; `--shard i/n` runs every n-th pair.
import type { Command } from 'commander'
import cliProgress from 'cli-progress'
import { availableParallelism } from 'node:os'
import { writeFileSync } from 'node:fs'
import type { RunSummary, ParamValue } from '../../engine/index'
import { runSweep } from '../../main/experiments/pipeline'
import { planTasks, type SweepTask } from '../../main/experiments/task'
import { printSummaryTable, summarize, toCsv, toJson, sweepDocument } from '../../main/experiments/summary'
import { UsageError } from '../support/errors'
import { parseChoiceFlag, parseNumberFlag, printJson } from '../support/flags'
import {
  checkPolicy, collectList, collectParam, loadScenario, MIGRATION_MODELS, registryWithPlugins, type MigrationModelName
} from './run'

// The pipeline's summary and outputs, re-exported for the CLI's callers and tests.
export { orderRuns, printSummaryTable, summarize, toCsv, type PolicySummary, type SweepDocument } from '../../main/experiments/summary'
export { runOnWorkers } from '../../main/experiments/pool'

/** `1-20`, `1,3,5`, `1-3,7` → ascending unique integers. */
export function parseSeeds(raw: string): number[] {
  const seeds = new Set<number>()
  for (const part of raw.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
    if (match === null) throw new UsageError(`--seeds: expected N, A-B or a comma list of them, got "${raw}"`)
    const from = Number(match[1])
    const to = match[2] === undefined ? from : Number(match[2])
    if (to < from) throw new UsageError(`--seeds: range ${part.trim()} runs backwards`)
    if (to - from > 100_000) throw new UsageError(`--seeds: range ${part.trim()} is too large`)
    for (let seed = from; seed <= to; seed++) seeds.add(seed)
  }
  return [...seeds].sort((a, b) => a - b)
}

/** `i/n` with 1 ≤ i ≤ n. */
export function parseShard(raw: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim())
  const index = match === null ? NaN : Number(match[1])
  const count = match === null ? NaN : Number(match[2])
  if (!(count >= 1) || !(index >= 1) || index > count) throw new UsageError(`--shard: expected i/n with 1 ≤ i ≤ n, got "${raw}"`)
  return { index, count }
}

export function writeOut(path: string, runs: readonly RunSummary[]): void {
  if (path.endsWith('.csv')) writeFileSync(path, toCsv(runs))
  else if (path.endsWith('.json')) writeFileSync(path, toJson(runs))
  else throw new UsageError(`--out: expected a .csv or .json file, got "${path}"`)
}

export interface SweepOptions {
  policies: string
  seeds: string
  workers?: number
  out?: string
  shard?: string
  hours?: number
  policyIntervalS?: number
  param?: Record<string, ParamValue>
  plugin?: string[]
  migrationModel: MigrationModelName
  json?: boolean
}

export function sweepTasks(text: string, label: string, policies: readonly string[], seeds: readonly number[], options: SweepOptions): SweepTask[] {
  const shard = options.shard === undefined ? undefined : parseShard(options.shard)
  return planTasks(text, label, policies, seeds, { hours: options.hours, policyIntervalS: options.policyIntervalS, params: options.param ?? {}, migrationModel: options.migrationModel, shard })
}

function progressBar(total: number): { tick(): void; stop(): void } {
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'sweep [{bar}] {value}/{total} runs | {duration}s', hideCursor: true }, cliProgress.Presets.shades_classic)
  bar.start(total, 0)
  return { tick: () => bar.increment(), stop: () => bar.stop() }
}

async function sweepCommand(scenarioArg: string, options: SweepOptions): Promise<void> {
  const { scenario, text, path } = loadScenario(scenarioArg)
  const policies = [...new Set(options.policies.split(',').map((p) => p.trim()).filter((p) => p !== ''))]
  if (policies.length === 0) throw new UsageError('--policies: expected a comma-separated list of policy names')
  const seeds = parseSeeds(options.seeds)
  const registry = await registryWithPlugins(options.plugin ?? [])
  for (const policy of policies) checkPolicy(registry, policy, { ...(policy === scenario.policy.name ? scenario.policy.params : {}), ...options.param })
  if (options.out !== undefined && !/\.(csv|json)$/.test(options.out)) throw new UsageError(`--out: expected a .csv or .json file, got "${options.out}"`)
  const tasks = sweepTasks(text, path, policies, seeds, options)
  const workers = options.workers ?? Math.max(1, Math.min(availableParallelism(), tasks.length))
  const started = performance.now()
  const bar = progressBar(tasks.length)
  const ordered = await runSweep(tasks, { workers, plugins: options.plugin ?? [], registry, policyOrder: policies, onProgress: bar.tick })
  bar.stop()
  process.stderr.write(`sweep: ${ordered.length} runs on ${workers === 0 ? 'the main thread' : `${workers} worker(s)`} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  if (options.out !== undefined) writeOut(options.out, ordered)
  if (options.json) printJson(sweepDocument(ordered))
  else printSummaryTable(summarize(ordered), (line) => process.stdout.write(line))
}

export function registerSweepCommand(program: Command): void {
  program.command('sweep')
    .description('run policies × seeds on worker threads and compare them (mean and 95 % CI)')
    .argument('<scenario>', 'scenario file, or a preset name from scenarios/')
    .requiredOption('--policies <list>', 'comma-separated policy names')
    .option('--seeds <list>', 'seeds: N, A-B or a comma list', '1-5')
    .option('--workers <n>', 'worker threads (0 = run in the main thread); default: available cores',
      parseNumberFlag('--workers', { integer: true, min: 0, max: 256 }))
    .option('--out <file>', 'write every run to FILE.csv or FILE.json')
    .option('--shard <i/n>', 'run only the i-th of n interleaved shards (join them with `cutover merge`)')
    .option('--hours <h>', 'simulated hours (overrides the scenario)', parseNumberFlag('--hours', { min: 0.001 }))
    .option('--policy-interval-s <s>', 'seconds between policy ticks', parseNumberFlag('--policy-interval-s', { integer: true, min: 1 }))
    .option('--param <key=value>', 'policy parameter for every policy, repeatable', collectParam)
    .option('--migration-model <model>', 'estimate (analytic) or page (page-level migrations)', parseChoiceFlag('--migration-model', MIGRATION_MODELS), 'estimate')
    .option('--plugin <module>', 'load a policy module, repeatable', collectList)
    .option('--json', 'print the {runs, summary} document instead of the table')
    .action(sweepCommand)
}
