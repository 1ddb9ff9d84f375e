// `cutover sweep <scenario>`: one run per (policy, seed) on worker threads, a progress bar on stderr, then the
// mean and 95 % confidence interval of every summary field per policy. Results are ordered by (policy as given,
// seed), never by completion, so a parallel sweep equals a serial one; `--shard i/n` runs every n-th pair.
import type { Command } from 'commander'
import cliProgress from 'cli-progress'
import { availableParallelism } from 'node:os'
import { writeFileSync } from 'node:fs'
import { RUN_SUMMARY_FIELDS, type RunSummary, type ParamValue } from '../../engine/index'
import { runSweep } from '../../main/experiments/pipeline'
import { planTasks, type SweepTask } from '../../main/experiments/task'
import { printSummaryTable, summarize, type PolicySummary } from '../../main/experiments/summary'
import { toCsv as writeCsv } from '../../main/support/csv'
import { UsageError } from '../support/errors'
import { checkWritableFile, parseChoiceFlag, parseNumberFlag, printJson } from '../support/flags'
import { shardLabel, sweepId, type SweepIdentity } from '../support/sweep-identity'
import {
  checkHours, checkPolicy, collectList, collectParam, loadScenario, MIGRATION_MODELS, parseHoursFlag, parsePolicyIntervalFlag,
  registryWithPlugins, type MigrationModelName
} from './run'

// The pipeline's summary and outputs, re-exported for the CLI's callers and tests.
export { orderRuns, printSummaryTable, summarize, type PolicySummary } from '../../main/experiments/summary'
export { runOnWorkers } from '../../main/experiments/pool'

/** `cutover sweep --json`, `--out FILE.json` and what `cutover merge` reads back. */
export interface SweepDocument {
  /** Which sweep and shard these runs are; null for a partial merge (it is not a complete shard of anything). */
  readonly sweep: SweepIdentity | null
  readonly runs: readonly RunSummary[]
  readonly summary: PolicySummary
}

/** Columns a sweep CSV carries after the summary fields: the sweep identity of every row. */
export const IDENTITY_COLUMNS = ['sweepId', 'shard', 'sweepRuns'] as const

/** A sweep runs at most this many (policy, seed) pairs, however the seed list is written. */
export const SWEEP_RUNS_MAX = 100_000

/**
 * `1-20`, `1,3,5`, `1-3,7` → ascending unique integers. Seeds are safe integers (beyond 2^53 `seed + 1` is
 * `seed` and a range never ends), and the ranges are merged and counted before one seed is listed.
 */
export function parseSeeds(raw: string, runsPerSeed = 1): number[] {
  const ranges: [number, number][] = []
  for (const part of raw.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
    if (match === null) throw new UsageError(`--seeds: expected N, A-B or a comma list of them, got "${raw}"`)
    const from = Number(match[1])
    const to = match[2] === undefined ? from : Number(match[2])
    for (const seed of [from, to]) {
      if (!Number.isSafeInteger(seed)) throw new UsageError(`--seeds: ${seed} is above the largest seed ${Number.MAX_SAFE_INTEGER}, in "${part.trim()}"`)
    }
    if (to < from) throw new UsageError(`--seeds: range ${part.trim()} runs backwards`)
    ranges.push([from, to])
  }
  const merged = mergeRanges(ranges)
  const total = merged.reduce((sum, [from, to]) => sum + (to - from + 1), 0)
  if (total * runsPerSeed > SWEEP_RUNS_MAX) {
    throw new UsageError(`--seeds: ${total} seeds${runsPerSeed > 1 ? ` × ${runsPerSeed} policies` : ''} are more than ${SWEEP_RUNS_MAX} runs`)
  }
  const seeds: number[] = []
  for (const [from, to] of merged) for (let seed = from; seed <= to; seed++) seeds.push(seed)
  return seeds
}

/** Sorted, overlapping or touching ranges joined. */
function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = []
  for (const [from, to] of sorted) {
    const last = merged.at(-1)
    if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to)
    else merged.push([from, to])
  }
  return merged
}

/** `i/n` with 1 ≤ i ≤ n. */
export function parseShard(raw: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim())
  const index = match === null ? NaN : Number(match[1])
  const count = match === null ? NaN : Number(match[2])
  if (!Number.isSafeInteger(count) || !(count >= 1) || !(index >= 1) || index > count) throw new UsageError(`--shard: expected i/n with 1 ≤ i ≤ n, got "${raw}"`)
  return { index, count }
}

export function toCsv(runs: readonly RunSummary[], identity: SweepIdentity | null = null): string {
  const tail = identity === null ? ['', '', ''] : [identity.id, shardLabel(identity.shard), identity.runsTotal]
  return writeCsv([...RUN_SUMMARY_FIELDS, ...IDENTITY_COLUMNS], runs.map((run) => [...RUN_SUMMARY_FIELDS.map((field) => run[field]), ...tail]))
}

/** The JSON document (a mean that was not measured, NaN, is written as null). */
export function sweepJson(runs: readonly RunSummary[], identity: SweepIdentity | null): SweepDocument {
  return { sweep: identity, runs, summary: summarize(runs) }
}

export function writeOut(path: string, runs: readonly RunSummary[], identity: SweepIdentity | null): void {
  if (path.endsWith('.csv')) writeFileSync(path, toCsv(runs, identity))
  else if (path.endsWith('.json')) writeFileSync(path, JSON.stringify(sweepJson(runs, identity), null, 2) + '\n')
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
  const seeds = parseSeeds(options.seeds, policies.length)
  const registry = await registryWithPlugins(options.plugin ?? [])
  for (const policy of policies) checkPolicy(registry, policy, { ...(policy === scenario.policy.name ? scenario.policy.params : {}), ...options.param })
  if (options.out !== undefined && !/\.(csv|json)$/.test(options.out)) throw new UsageError(`--out: expected a .csv or .json file, got "${options.out}"`)
  if (options.out !== undefined) checkWritableFile('--out', options.out)
  checkHours(scenario, options.hours)
  const tasks = sweepTasks(text, path, policies, seeds, options)
  const workers = options.workers ?? Math.max(1, Math.min(availableParallelism(), tasks.length))
  const started = performance.now()
  const bar = progressBar(tasks.length)
  const ordered = await runSweep(tasks, { workers, plugins: options.plugin ?? [], registry, policyOrder: policies, onProgress: bar.tick })
  bar.stop()
  process.stderr.write(`sweep: ${ordered.length} runs on ${workers === 0 ? 'the main thread' : `${workers} worker(s)`} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  const shard = options.shard === undefined ? { index: 1, count: 1 } : parseShard(options.shard)
  const identity: SweepIdentity = {
    id: sweepId({ scenarioText: text, policies, seeds, hours: options.hours, policyIntervalS: options.policyIntervalS, params: options.param,
      migrationModel: options.migrationModel, plugins: options.plugin }),
    shard, runsTotal: policies.length * seeds.length
  }
  if (options.out !== undefined) writeOut(options.out, ordered, identity)
  if (options.json) printJson(sweepJson(ordered, identity))
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
    .option('--hours <h>', 'simulated hours (overrides the scenario)', parseHoursFlag)
    .option('--policy-interval-s <s>', 'seconds between policy ticks', parsePolicyIntervalFlag)
    .option('--param <key=value>', 'policy parameter for every policy, repeatable', collectParam)
    .option('--migration-model <model>', 'estimate (analytic) or page (page-level migrations)', parseChoiceFlag('--migration-model', MIGRATION_MODELS), 'estimate')
    .option('--plugin <module>', 'load a policy module, repeatable', collectList)
    .option('--json', 'print the {runs, summary} document instead of the table')
    .action(sweepCommand)
}
