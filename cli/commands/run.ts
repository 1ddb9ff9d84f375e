// `cutover run <scenario>`: one datacenter run; `--json` prints exactly the contract's summary fields. Also the
// scenario/policy loading shared by `sweep` and its workers: a bad file, field, policy or parameter is a
// UsageError (exit 2) that names the flag or the scenario field path.
import type { Command } from 'commander'
import { existsSync, readFileSync, statSync, writeFileSync, createWriteStream } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatacenter, WorldRecords, RUN_SUMMARY_FIELDS, SCENARIO_LIMITS, scenarioSizeErrors, PolicyParamError, COMPAT_SWITCHES,
  type CompatMode, type CompatSwitch, type DcEvent, type RunSummary,
  type MigrationResult, type MigrationStart, type PolicyRegistry, type ParamValue, type Scenario } from '../../engine/index'
import {
  MIGRATION_MODELS, migrationModelFor, parseScenarioText as parseScenario, pickSummary, PluginLoadError, compatFor, registryWithPlugins as loadRegistry,
  ScenarioTextError, type MigrationModelName
} from '../../main/experiments/task'
import { UsageError } from '../support/errors'
import { RunHistory } from '../support/run-history'
import { ensureWritableDir, parseChoiceFlag, parseNumberFlag, parseSeedFlag, printJson } from '../support/flags'

export const PRESETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios')
export { MIGRATION_MODELS, type MigrationModelName }

/** A path, or a preset name (`small-cluster`) looked up in scenarios/. */
export function resolveScenarioPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) {
    if (!statSync(nameOrPath).isFile()) throw new UsageError(`scenario: ${nameOrPath} is not a file`)
    return nameOrPath
  }
  const preset = join(PRESETS_DIR, nameOrPath.endsWith('.json') ? nameOrPath : `${nameOrPath}.json`)
  if (!nameOrPath.includes('/') && existsSync(preset)) return preset
  throw new UsageError(`scenario: no such file or preset: ${nameOrPath}`)
}

/** A scenario text as a validated scenario; bad input is a usage error (exit 2) naming the field path. */
export function parseScenarioText(text: string, label: string, path?: string): Scenario {
  try {
    return parseScenario(text, label, path)
  } catch (error) {
    if (error instanceof ScenarioTextError) throw new UsageError(error.message)
    throw error
  }
}

/** Scenario files above this size are refused unread (the IPC contract's limit for scenario files). */
const SCENARIO_FILE_BYTES_MAX = 8 * 1024 * 1024

export function loadScenario(nameOrPath: string): { scenario: Scenario; text: string; path: string } {
  const path = resolveScenarioPath(nameOrPath)
  const bytes = statSync(path).size
  if (bytes > SCENARIO_FILE_BYTES_MAX) throw new UsageError(`scenario: ${path} holds ${bytes} bytes; at most ${SCENARIO_FILE_BYTES_MAX} are read`)
  const text = readFileSync(path, 'utf8')
  return { scenario: parseScenarioText(text, basename(path), path), text, path }
}

/** `--hours` against the scenario's size limits (a long run of many VMs allocates its whole demand series). */
export function checkHours(scenario: Scenario, hours: number | undefined): void {
  if (hours === undefined) return
  const errors = scenarioSizeErrors(scenario, hours)
  if (errors.length > 0) throw new UsageError(`--hours: ${errors.join('; ')}`)
}

/** Flags shared by `run` and `sweep`, with their bounds. */
export const parseHoursFlag = parseNumberFlag('--hours', { min: 0.001, max: SCENARIO_LIMITS.durationHMax })
export const parsePolicyIntervalFlag = parseNumberFlag('--policy-interval-s', { integer: true, min: 1, max: 86_400 })

/** `--param key=value`, repeatable. */
export function collectParam(raw: string, previous: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  const at = raw.indexOf('=')
  if (at <= 0) throw new UsageError(`--param: expected key=value, got "${raw}"`)
  return { ...previous, [raw.slice(0, at)]: raw.slice(at + 1) }
}

export function collectList(raw: string, previous: string[] = []): string[] {
  return [...previous, raw]
}

/** Built-in policies plus plugin modules; a plugin that cannot be loaded is a usage error (exit 2). */
export async function registryWithPlugins(plugins: readonly string[]): Promise<PolicyRegistry> {
  try {
    return await loadRegistry(plugins)
  } catch (error) {
    if (error instanceof PluginLoadError) throw new UsageError(error.message)
    throw error
  }
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

/** Records that wait longer than this many items are written (one transaction per batch). */
const HISTORY_BATCH_ITEMS = 1000

export const COMPAT_MODES = ['faithful', 'cloudsim'] as const

/** `--compat-switch name=on|off`, repeatable. */
export function collectCompatSwitch(raw: string, previous: Partial<Record<CompatSwitch, boolean>> = {}): Partial<Record<CompatSwitch, boolean>> {
  const match = /^([A-Za-z]+)=(on|off|true|false)$/.exec(raw)
  if (match === null) throw new UsageError(`--compat-switch: expected name=on|off, got "${raw}"`)
  if (!(COMPAT_SWITCHES as readonly string[]).includes(match[1])) {
    throw new UsageError(`--compat-switch: unknown switch ${match[1]} (known: ${COMPAT_SWITCHES.join(', ')})`)
  }
  return { ...previous, [match[1]]: match[2] === 'on' || match[2] === 'true' }
}

export interface RunOptions {
  compat?: CompatMode
  compatSwitch?: Partial<Record<CompatSwitch, boolean>>
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
  for (const field of RUN_SUMMARY_FIELDS) {
    const value = summary[field]
    process.stdout.write(`${field.padEnd(width)}  ${value === null ? 'not verified' : String(value)}\n`)
  }
}

async function runCommand(scenarioArg: string, options: RunOptions): Promise<void> {
  const { scenario } = loadScenario(scenarioArg)
  checkHours(scenario, options.hours)
  if (options.out !== undefined) ensureWritableDir('--out', options.out)
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
      compat: compatFor(scenario, options.compat, options.compatSwitch),
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
    .option('--seed <n>', 'random seed', parseSeedFlag, 1)
    .option('--hours <h>', 'simulated hours (overrides the scenario)', parseHoursFlag)
    .option('--policy-interval-s <s>', 'seconds between policy ticks', parsePolicyIntervalFlag)
    .option('--param <key=value>', 'policy parameter, repeatable', collectParam)
    .option('--migration-model <model>', 'estimate (analytic) or page (page-level migrations)',
      parseChoiceFlag('--migration-model', MIGRATION_MODELS), 'estimate')
    .option('--plugin <module>', 'load a policy module (exports a factory), repeatable', collectList)
    .option('--compat <mode>', 'faithful (default) or cloudsim: CloudSim 3.0.3\'s semantics, every quirk a switch', parseChoiceFlag('--compat', COMPAT_MODES))
    .option('--compat-switch <name=on|off>', `turn one compat switch on or off, repeatable (${COMPAT_SWITCHES.join(', ')})`, collectCompatSwitch)
    .option('--json', 'print exactly one JSON document')
    .option('--db <path>', 'record the run (migrations with their causes, decisions, faults, audit) in this history database')
    .option('--out <dir>', 'write summary.json and events.jsonl (every engine event) into this directory')
    .action(runCommand)
}
