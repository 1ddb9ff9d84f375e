// `cutover run <scenario>`: one datacenter run; `--json` prints exactly the contract's summary fields. Also the
// scenario/policy loading shared by `sweep` and its workers: a bad file, field, policy or parameter is a
// UsageError (exit 2) that names the flag or the scenario field path.
import type { Command } from 'commander'
import { existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createDatacenter, pageMigrationModelFor, WorldRecords, RUN_SUMMARY_FIELDS,
  createPolicyRegistry, PolicyParamError, validateScenario, type DcEvent, type MigrationModel, type RunSummary,
  type MigrationResult, type MigrationStart, type PolicyRegistry, type ParamValue, type PolicyFactory, type Scenario } from '../../engine/index'
import { UsageError } from '../support/errors'
import { RunHistory } from '../support/run-history'
import { parseChoiceFlag, parseNumberFlag, printJson } from '../support/flags'

export const PRESETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios')
export const MIGRATION_MODELS = ['estimate', 'page'] as const
export type MigrationModelName = (typeof MIGRATION_MODELS)[number]

/** A path, or a preset name (`small-cluster`) looked up in scenarios/. */
export function resolveScenarioPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath
  const preset = join(PRESETS_DIR, nameOrPath.endsWith('.json') ? nameOrPath : `${nameOrPath}.json`)
  if (!nameOrPath.includes('/') && existsSync(preset)) return preset
  throw new UsageError(`scenario: no such file or preset: ${nameOrPath}`)
}

export function parseScenarioText(text: string, label: string): Scenario {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${label}: not valid JSON (${(error as Error).message})`)
  }
  const validation = validateScenario(json)
  if (!validation.ok) throw new UsageError(validation.errors.join('\n'))
  return validation.scenario
}

export function loadScenario(nameOrPath: string): { scenario: Scenario; text: string; path: string } {
  const path = resolveScenarioPath(nameOrPath)
  const text = readFileSync(path, 'utf8')
  return { scenario: parseScenarioText(text, basename(path)), text, path }
}

/** `--param key=value`, repeatable. */
export function collectParam(raw: string, previous: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  const at = raw.indexOf('=')
  if (at <= 0) throw new UsageError(`--param: expected key=value, got "${raw}"`)
  return { ...previous, [raw.slice(0, at)]: raw.slice(at + 1) }
}

export function collectList(raw: string, previous: string[] = []): string[] {
  return [...previous, raw]
}

/** Loads plugin modules (default export or `policy` export: a PolicyFactory) into a fresh registry. */
export async function registryWithPlugins(plugins: readonly string[]): Promise<PolicyRegistry> {
  const registry = createPolicyRegistry()
  for (const plugin of plugins) {
    let module: { default?: PolicyFactory; policy?: PolicyFactory }
    try {
      module = (await import(pathToFileURL(resolve(plugin)).href)) as typeof module
    } catch (error) {
      throw new UsageError(`--plugin ${plugin}: cannot load it (${(error as Error).message})`)
    }
    const factory = module.default ?? module.policy
    if (factory === undefined || typeof factory.create !== 'function' || typeof factory.info?.name !== 'string') {
      throw new UsageError(`--plugin ${plugin}: the module must export a policy factory ({ info, create }) as default or "policy"`)
    }
    registry.register(factory)
  }
  return registry
}

/** Fails early (exit 2) on an unknown policy name or bad parameter. */
export function checkPolicy(registry: PolicyRegistry, name: string, params: Readonly<Record<string, ParamValue>>): void {
  try {
    registry.create(name, params)
  } catch (error) {
    if (error instanceof PolicyParamError) throw new UsageError(`--policy: ${error.message}`)
    throw error
  }
}

/** The migration model a run uses: the analytic estimate (default) or page-level migrations. */
export function migrationModelFor(
  name: MigrationModelName | undefined, scenario: Scenario, seed: number,
  onFinished?: (result: MigrationResult, request: MigrationStart) => void
): MigrationModel | undefined {
  if (name !== 'page') return undefined
  return pageMigrationModelFor(scenario, seed, onFinished)
}

/** Records that wait longer than this many items are written (one transaction per batch). */
const HISTORY_BATCH_ITEMS = 1000

export interface RunOptions {
  policy?: string
  seed: number
  hours?: number
  json?: boolean
  db?: string
  out?: string
  migrationModel: MigrationModelName
  param?: Record<string, ParamValue>
  policyIntervalS?: number
  plugin?: string[]
}

function printTable(summary: RunSummary): void {
  const width = Math.max(...RUN_SUMMARY_FIELDS.map((field) => field.length))
  for (const field of RUN_SUMMARY_FIELDS) process.stdout.write(`${field.padEnd(width)}  ${String(summary[field])}\n`)
}

function pickSummary(summary: RunSummary): RunSummary {
  const picked: Record<string, unknown> = {}
  for (const field of RUN_SUMMARY_FIELDS) picked[field] = summary[field]
  return picked as unknown as RunSummary
}

async function runCommand(scenarioArg: string, options: RunOptions): Promise<void> {
  const { scenario } = loadScenario(scenarioArg)
  const registry = await registryWithPlugins(options.plugin ?? [])
  const policy = options.policy ?? scenario.policy.name
  const params = { ...(policy === scenario.policy.name ? scenario.policy.params : {}), ...options.param }
  checkPolicy(registry, policy, params)
  const history = options.db === undefined ? undefined : RunHistory.open(options.db, {
    scenario: scenario.name, scenarioJson: scenario, seed: options.seed, policy
  })
  // Page-level migrations hand over whole results (with rounds); the analytic model's are its events.
  // Records are collected only when they are written somewhere.
  const records = new WorldRecords({ migrationsFromEvents: options.migrationModel !== 'page' })
  const onFinished = history === undefined ? undefined : (result: MigrationResult, request: MigrationStart) => records.migration(result, request)
  let dc: ReturnType<typeof createDatacenter>
  try {
    dc = createDatacenter({
      scenario, seed: options.seed, policy, policyParams: params, hours: options.hours, policyIntervalS: options.policyIntervalS, registry,
      migrationModel: migrationModelFor(options.migrationModel, scenario, options.seed, onFinished)
    })
  } catch (error) {
    history?.abandon()
    throw error
  }
  if (history !== undefined) {
    records.audit('cli', 'run.started', { policy, params, seed: options.seed, hours: options.hours ?? null, migrationModel: options.migrationModel }, 0)
    dc.subscribe((event: DcEvent) => {
      records.observe(event, dc.nowUs)
      if (records.pendingCount >= HISTORY_BATCH_ITEMS) history.record(records.drain())
    })
  }
  let closeEvents = (): Promise<void> => Promise.resolve()
  if (options.out !== undefined) {
    mkdirSync(options.out, { recursive: true })
    const stream = createWriteStream(join(options.out, 'events.jsonl'))
    dc.subscribe((event: DcEvent) => { stream.write(JSON.stringify(event) + '\n') })
    closeEvents = () => new Promise((done) => stream.end(done))
  }
  let summary: RunSummary
  try {
    summary = pickSummary(dc.run())
  } catch (error) {
    history?.abandon()
    throw error
  }
  if (history !== undefined) {
    history.record(records.drain())
    history.finish(dc.nowUs, summary.traceHash)
    process.stderr.write(`cutover: recorded run ${history.runId} in ${history.path} (${history.recordedItems} records)\n`)
  }
  await closeEvents()
  if (options.out !== undefined) writeFileSync(join(options.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')
  if (options.json) printJson(summary)
  else printTable(summary)
}

export function registerRunCommand(program: Command): void {
  program.command('run')
    .description('run a datacenter scenario with one policy and print its summary')
    .argument('<scenario>', 'scenario file, or a preset name from scenarios/')
    .option('--policy <name>', 'policy (see `cutover policies`); default: the scenario\'s')
    .option('--seed <n>', 'random seed', parseNumberFlag('--seed', { integer: true, min: 0 }), 1)
    .option('--hours <h>', 'simulated hours (overrides the scenario)', parseNumberFlag('--hours', { min: 0.001 }))
    .option('--policy-interval-s <s>', 'seconds between policy ticks', parseNumberFlag('--policy-interval-s', { integer: true, min: 1 }))
    .option('--param <key=value>', 'policy parameter, repeatable', collectParam)
    .option('--migration-model <model>', 'estimate (analytic) or page (page-level migrations)',
      parseChoiceFlag('--migration-model', MIGRATION_MODELS), 'estimate')
    .option('--plugin <module>', 'load a policy module (exports a factory), repeatable', collectList)
    .option('--json', 'print exactly one JSON document')
    .option('--db <path>', 'record the run (migrations with their causes, decisions, faults, audit) in this history database')
    .option('--out <dir>', 'write summary.json and events.jsonl (every engine event) into this directory')
    .action(runCommand)
}

/** One (policy, seed) run of a sweep, as sent to a worker thread (plain data). */
export interface SweepTask {
  readonly index: number
  readonly scenarioText: string
  readonly scenarioLabel: string
  readonly policy: string
  readonly seed: number
  readonly hours?: number
  readonly policyIntervalS?: number
  readonly params: Readonly<Record<string, ParamValue>>
  readonly migrationModel?: MigrationModelName
}

/** Runs one sweep task to its summary (the same code in a worker and in the main thread). */
export function runSweepTask(task: SweepTask, registry: PolicyRegistry): RunSummary {
  const scenario = parseScenarioText(task.scenarioText, task.scenarioLabel)
  const params = { ...(task.policy === scenario.policy.name ? scenario.policy.params : {}), ...task.params }
  const summary = createDatacenter({
    scenario, seed: task.seed, policy: task.policy, policyParams: params, hours: task.hours, policyIntervalS: task.policyIntervalS, registry,
    migrationModel: migrationModelFor(task.migrationModel, scenario, task.seed)
  }).run()
  return pickSummary(summary)
}
