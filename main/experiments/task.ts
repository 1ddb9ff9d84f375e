// One (policy, seed) run of an experiment as plain data, and the code that runs it to its summary: the same
// function on a worker thread and on the calling thread, for `cutover sweep` and the app's Experiments alike.
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import {
  createDatacenter, createPolicyRegistry, pageMigrationModelFor, RUN_SUMMARY_FIELDS, validateScenario, type MigrationModel, type MigrationResult,
  type MigrationStart, type ParamValue, type PolicyFactory, type PolicyRegistry, type RunSummary, type Scenario
} from '../../engine/index'

export const MIGRATION_MODELS = ['estimate', 'page'] as const
export type MigrationModelName = (typeof MIGRATION_MODELS)[number]

/** One (policy, seed) run, as sent to a worker thread (plain data). */
export interface SweepTask {
  /** Position in the full (unsharded) policy × seed plan. */
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

/** A scenario text that is not valid JSON or not a valid scenario; the message names the field path. */
export class ScenarioTextError extends Error {
  override readonly name = 'ScenarioTextError'
}

/** A plugin module that cannot be loaded or exports no policy factory. */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError'
}

export function parseScenarioText(text: string, label: string): Scenario {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ScenarioTextError(`${label}: not valid JSON (${(error as Error).message})`)
  }
  const validation = validateScenario(json)
  if (!validation.ok) throw new ScenarioTextError(validation.errors.join('\n'))
  return validation.scenario
}

/** Loads plugin modules (default export or `policy` export: a PolicyFactory) into a fresh registry. */
export async function registryWithPlugins(plugins: readonly string[]): Promise<PolicyRegistry> {
  const registry = createPolicyRegistry()
  for (const plugin of plugins) {
    let module: { default?: PolicyFactory; policy?: PolicyFactory }
    try {
      module = (await import(pathToFileURL(resolve(plugin)).href)) as typeof module
    } catch (error) {
      throw new PluginLoadError(`--plugin ${plugin}: cannot load it (${(error as Error).message})`)
    }
    const factory = module.default ?? module.policy
    if (factory === undefined || typeof factory.create !== 'function' || typeof factory.info?.name !== 'string') {
      throw new PluginLoadError(`--plugin ${plugin}: the module must export a policy factory ({ info, create }) as default or "policy"`)
    }
    registry.register(factory)
  }
  return registry
}

/** The migration model a run uses: the analytic estimate (default) or page-level migrations. */
export function migrationModelFor(
  name: MigrationModelName | undefined, scenario: Scenario, seed: number,
  onFinished?: (result: MigrationResult, request: MigrationStart) => void
): MigrationModel | undefined {
  if (name !== 'page') return undefined
  return pageMigrationModelFor(scenario, seed, onFinished)
}

/** The summary with exactly the contract's fields, in the contract's order. */
export function pickSummary(summary: RunSummary): RunSummary {
  const picked: Record<string, unknown> = {}
  for (const field of RUN_SUMMARY_FIELDS) picked[field] = summary[field]
  return picked as unknown as RunSummary
}

/** Runs one task to its summary (the same code in a worker and in the calling thread). */
export function runSweepTask(task: SweepTask, registry: PolicyRegistry): RunSummary {
  const scenario = parseScenarioText(task.scenarioText, task.scenarioLabel)
  const params = { ...(task.policy === scenario.policy.name ? scenario.policy.params : {}), ...task.params }
  const summary = createDatacenter({
    scenario, seed: task.seed, policy: task.policy, policyParams: params, hours: task.hours, policyIntervalS: task.policyIntervalS, registry,
    migrationModel: migrationModelFor(task.migrationModel, scenario, task.seed)
  }).run()
  return pickSummary(summary)
}

export interface PlanOptions {
  readonly hours?: number
  readonly policyIntervalS?: number
  readonly params?: Readonly<Record<string, ParamValue>>
  readonly migrationModel?: MigrationModelName
  /** Run only every `count`-th pair starting at `index` (1-based); default: all. */
  readonly shard?: { readonly index: number; readonly count: number }
}

/** The policy × seed plan in canonical order (policy as given, then seed), cut to one interleaved shard. */
export function planTasks(scenarioText: string, scenarioLabel: string, policies: readonly string[], seeds: readonly number[], options: PlanOptions = {}): SweepTask[] {
  const shard = options.shard ?? { index: 1, count: 1 }
  const tasks: SweepTask[] = []
  let index = 0
  for (const policy of policies) {
    for (const seed of seeds) {
      if (index % shard.count === shard.index - 1) {
        tasks.push({ index, scenarioText, scenarioLabel, policy, seed, hours: options.hours, policyIntervalS: options.policyIntervalS, params: options.params ?? {}, migrationModel: options.migrationModel })
      }
      index++
    }
  }
  return tasks
}
