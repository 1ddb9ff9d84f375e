// `cutover sweep <scenario>`: one run per (policy, seed) on worker threads, a progress bar on stderr, then the
// mean and 95 % confidence interval of every summary field per policy. Results are ordered by (policy as given,
// seed), never by completion, so a parallel sweep equals a serial one; `--shard i/n` runs every n-th pair.
import type { Command } from 'commander'
import cliProgress from 'cli-progress'
import { availableParallelism } from 'node:os'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

import { meanCi95, NUMERIC_SUMMARY_FIELDS, RUN_SUMMARY_FIELDS, type RunSummary, type MeanCi, type ParamValue } from '../../engine/index'
import { UsageError } from '../support/errors'
import { parseChoiceFlag, parseNumberFlag, printJson } from '../support/flags'
import type { WorkerReply, WorkerRequest } from '../sweep-worker'
import {
  checkPolicy, collectList, collectParam, loadScenario, MIGRATION_MODELS, registryWithPlugins, runSweepTask,
  type MigrationModelName, type SweepTask
} from './run'

export type PolicySummary = Record<string, Record<string, MeanCi>>

export interface SweepDocument {
  readonly runs: readonly RunSummary[]
  readonly summary: PolicySummary
}

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

/** Runs in their canonical order: policies in first-appearance order of `policyOrder`, then seed. */
export function orderRuns(runs: readonly RunSummary[], policyOrder: readonly string[]): RunSummary[] {
  const rank = (policy: string) => { const i = policyOrder.indexOf(policy); return i < 0 ? policyOrder.length : i }
  return [...runs].sort((a, b) => rank(a.policy) - rank(b.policy) || a.policy.localeCompare(b.policy) || a.seed - b.seed)
}

export function summarize(runs: readonly RunSummary[]): PolicySummary {
  const summary: PolicySummary = {}
  const policies = [...new Set(runs.map((run) => run.policy))]
  for (const policy of policies) {
    const mine = runs.filter((run) => run.policy === policy)
    summary[policy] = {}
    for (const field of NUMERIC_SUMMARY_FIELDS) summary[policy][field] = meanCi95(mine.map((run) => run[field]))
  }
  return summary
}

function csvCell(value: unknown): string {
  const text = String(value)
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function toCsv(runs: readonly RunSummary[]): string {
  const lines = [RUN_SUMMARY_FIELDS.join(',')]
  for (const run of runs) lines.push(RUN_SUMMARY_FIELDS.map((field) => csvCell(run[field])).join(','))
  return lines.join('\n') + '\n'
}

export function writeOut(path: string, runs: readonly RunSummary[]): void {
  if (path.endsWith('.csv')) writeFileSync(path, toCsv(runs))
  else if (path.endsWith('.json')) writeFileSync(path, JSON.stringify({ runs, summary: summarize(runs) } satisfies SweepDocument, null, 2) + '\n')
  else throw new UsageError(`--out: expected a .csv or .json file, got "${path}"`)
}

function formatMeanCi(value: MeanCi): string {
  const digits = (x: number) => Math.abs(x) >= 1000 || x === 0 ? x.toFixed(0) : x.toPrecision(4)
  return value.n < 2 ? digits(value.mean) : `${digits(value.mean)} ± ${digits(value.ci95)}`
}

export function printSummaryTable(summary: PolicySummary, out: (text: string) => void): void {
  const policies = Object.keys(summary)
  const width = Math.max(...NUMERIC_SUMMARY_FIELDS.map((f) => f.length))
  const cells = policies.map((policy) => NUMERIC_SUMMARY_FIELDS.map((field) => formatMeanCi(summary[policy][field])))
  const columnWidths = policies.map((policy, p) => Math.max(policy.length, ...cells[p].map((c) => c.length)))
  const runsRow = policies.map((policy, p) => `n=${summary[policy].energyKWh.n}`.padStart(columnWidths[p])).join('  ')
  out(`${'mean ± 95% CI'.padEnd(width)}  ${policies.map((policy, p) => policy.padStart(columnWidths[p])).join('  ')}\n`)
  out(`${'runs'.padEnd(width)}  ${runsRow}\n`)
  NUMERIC_SUMMARY_FIELDS.forEach((field, f) => {
    out(`${field.padEnd(width)}  ${policies.map((_, p) => cells[p][f].padStart(columnWidths[p])).join('  ')}\n`)
  })
}

/** tsx's ESM registration entry, as a URL the worker can import. */
function tsxApiUrl(): string {
  const meta = import.meta as ImportMeta & { resolve?: (specifier: string) => string }
  if (typeof meta.resolve === 'function') {
    try { return meta.resolve('tsx/esm/api') } catch { /* fall through to require.resolve */ }
  }
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
}

/**
 * A worker running cli/sweep-worker.ts. On Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's
 * entry module, so a two-line bootstrap registers tsx's loader first and then imports the TypeScript entry.
 */
function startWorker(plugins: readonly string[]): Worker {
  const entry = new URL('../sweep-worker.ts', import.meta.url).href
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(bootstrap, { eval: true, workerData: { plugins } })
}

/** Runs tasks on `workerCount` worker threads; results in task order. */
export function runOnWorkers(tasks: readonly SweepTask[], workerCount: number, plugins: readonly string[], onDone: () => void): Promise<RunSummary[]> {
  const results = new Array<RunSummary>(tasks.length)
  const position = new Map(tasks.map((task, i) => [task.index, i]))
  let next = 0
  let finished = 0
  return new Promise((resolveAll, rejectAll) => {
    const workers: Worker[] = []
    const stop = (error?: Error) => { for (const worker of workers) void worker.terminate(); if (error) rejectAll(error); else resolveAll(results) }
    const feed = (worker: Worker) => {
      if (next < tasks.length) worker.postMessage({ kind: 'run', task: tasks[next++] } satisfies WorkerRequest)
    }
    for (let w = 0; w < Math.min(workerCount, tasks.length); w++) {
      const worker = startWorker(plugins)
      workers.push(worker)
      worker.on('error', (error) => stop(error))
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'error') { stop(new Error(`run ${reply.index}: ${reply.message}`)); return }
        if (reply.kind === 'done') {
          results[position.get(reply.index) as number] = reply.summary
          finished++
          onDone()
          if (finished === tasks.length) { stop(); return }
        }
        feed(worker)
      })
    }
    if (tasks.length === 0) stop()
  })
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
  const shard = options.shard === undefined ? { index: 1, count: 1 } : parseShard(options.shard)
  const tasks: SweepTask[] = []
  let index = 0
  for (const policy of policies) {
    for (const seed of seeds) {
      if (index % shard.count === shard.index - 1) {
        tasks.push({ index, scenarioText: text, scenarioLabel: label, policy, seed, hours: options.hours, policyIntervalS: options.policyIntervalS, params: options.param ?? {}, migrationModel: options.migrationModel })
      }
      index++
    }
  }
  return tasks
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
  const runs = workers === 0
    ? tasks.map((task) => { const summary = runSweepTask(task, registry); bar.tick(); return summary })
    : await runOnWorkers(tasks, workers, options.plugin ?? [], bar.tick)
  bar.stop()
  process.stderr.write(`sweep: ${runs.length} runs on ${workers === 0 ? 'the main thread' : `${workers} worker(s)`} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  const ordered = orderRuns(runs, policies)
  if (options.out !== undefined) writeOut(options.out, ordered)
  if (options.json) printJson({ runs: ordered, summary: summarize(ordered) } satisfies SweepDocument)
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
