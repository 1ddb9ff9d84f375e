// THE contract between renderer and main, whether carried by Electron IPC or by the browser-mode WebSocket:
// every invoke channel with its request and response schema, every push channel with its payload schema.
// Requests are untrusted and fully validated; responses and pushes come from our own process and are typed
// through z.custom so type and channel list stay one source.
import { z } from 'zod'
import type { INVOKE_CHANNELS, PUSH_CHANNELS } from './channels'
import { dropVerdictSchema, migrationEstimateRequestSchema, migrationEstimateSchema, engineCatalogSchema, engineCommandSchema, idSchema as id, outcomeSchema, worldSnapshotSchema, type RunSummary } from '../../engine/index'
import type { MetricComparison } from '../experiments/summary'
export type { Result, ErrorCode } from './result'
export type { WorldSnapshot, HostView, VmView, MigrationView, RoundView, LinkView, SwitchView, ArpCacheView, ClientView, PolicyView, RecommendationView } from '../../engine/index'
export type { EngineCatalog, StrategyInfo, StageInfo, PolicyCatalogEntry, CatalogParam } from '../../engine/index'
export type { MigrationEstimateAnswer, MigrationEstimateRequest, RoundProgressView } from '../../engine/index'
export type { EngineCommand, DropRefusal, DropVerdict, StrategyName, Stage, Trigger, Outcome, AutomationLevel, DropRefusalCode } from '../../engine/index'
export { engineCommandSchema }

/** The longest scenario file text `scenario:load-file` accepts (UTF-16 code units); transports size their frames from it. */
export const SCENARIO_FILE_CHARS_MAX = 8 * 1024 * 1024

const simStatusSchema = z.object({
  nowUs: z.number().int().nonnegative(),
  playing: z.boolean(),
  /** Virtual seconds per wall second; null = as fast as possible. */
  speed: z.number().positive().nullable(),
  traceHash: z.string(),
  /** Set when an engine error halted the world (it is frozen; load a scenario to continue). */
  halted: z.string().nullable().optional()
})

const appInfoSchema = z.object({
  appVersion: z.string(),
  engineVersion: z.string(),
  mode: z.enum(['electron', 'browser'])
})

const simControlSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('play') }),
  z.object({ action: z.literal('pause') }),
  z.object({ action: z.literal('step'), durationUs: z.number().int().positive().max(3_600_000_000) }),
  z.object({ action: z.literal('speed'), speed: z.number().min(1).max(10_000).nullable() })
])

const scenarioSummarySchema = z.object({ name: z.string(), description: z.string(), hosts: z.number(), vms: z.number() })

const historyFilterSchema = z.object({
  vm: id.optional(), host: id.optional(), outcome: outcomeSchema.optional(),
  sinceUs: z.number().int().nonnegative().optional(), untilUs: z.number().int().nonnegative().optional(),
  /** Which run's migrations: the one loaded now (default), every run, or one by id. */
  run: z.union([z.enum(['current', 'all']), z.number().int().positive()]).default('current'),
  sort: z.enum(['start', 'downtime', 'total']).default('start'), direction: z.enum(['asc', 'desc']).default('desc'),
  cursor: z.string().max(200).nullable().default(null), limit: z.number().int().min(1).max(500).default(50)
})

/** A migration as the History view lists it. */
export interface HistoryRow {
  /** The history row id (what history:get takes). */
  readonly id: number
  /** The engine's migration id within the run (`mig-000006`, as the Migrations view shows it); null on rows recorded before it was stored. */
  readonly migrationId: string | null
  readonly runId: number
  readonly vmId: string
  readonly source: string
  readonly destination: string
  readonly strategy: string
  readonly trigger: string
  readonly reason: string
  readonly outcome: string
  readonly abortReason: string | null
  readonly startUs: number
  readonly totalTimeUs: number
  readonly downtimeUs: number
  readonly bytesSent: number
  readonly rounds: number
  /** Writes lost across the switchover; null: not verified (the estimate model moves no pages). */
  readonly lostWrites: number | null
}

export interface HistoryRound {
  readonly index: number
  readonly startUs: number
  readonly durationUs: number
  readonly pagesSent: number
  readonly bytesSent: number
  readonly rateMbitPerS: number
  readonly dirtyPagesAfter: number
  readonly final: boolean
}

/** A run (one scenario load) the History view can filter by. */
export interface HistoryRun { readonly id: number; readonly scenario: string; readonly seed: number; readonly policy: string }
export interface HistoryPage {
  readonly rows: readonly HistoryRow[]; readonly nextCursor: string | null; readonly total: number
  /** The run being recorded now (null before the first load), and the most recent runs, newest first. */
  readonly currentRunId: number | null; readonly runs: readonly HistoryRun[]
}
export interface HistoryDetail { readonly migration: HistoryRow; readonly rounds: readonly HistoryRound[] }
export interface AuditVerdict { readonly ok: boolean; readonly checked: number; readonly firstBadSeq: number | null; readonly reason: string | null }

/**
 * An experiment's answer from the one pipeline (main/experiments): every run's summary in canonical order, and
 * per metric and policy the values, their mean ± 95 % CI and box summary (engine/metrics/stats) and the text
 * `cutover sweep` prints for the same cell.
 */
export interface ExperimentResult {
  readonly runs: readonly RunSummary[]; readonly comparison: readonly MetricComparison[]
  /** The runs as `cutover sweep --out` writes them (main/experiments/summary: CSV through the shared helper). */
  readonly exports: { readonly csv: string; readonly json: string }
}
export interface ExperimentProgress { readonly done: number; readonly total: number }
export type { RunSummary, BoxSummary, MeanCi, MetricInfo } from '../../engine/index'
export type { MetricComparison, PolicyCell } from '../experiments/summary'

export const invokeSchemas = {
  'app:get-info': { request: z.undefined(), response: appInfoSchema },
  'sim:get-status': { request: z.undefined(), response: simStatusSchema },
  'sim:control': { request: simControlSchema, response: simStatusSchema },
  'sim:get-snapshot': { request: z.undefined(), response: worldSnapshotSchema },
  'sim:command': { request: engineCommandSchema, response: z.custom<{ readonly accepted: true; readonly detail: string }>() },
  'scenario:list': { request: z.undefined(), response: z.array(scenarioSummarySchema) },
  'scenario:load': { request: z.object({ name: id, seed: z.number().int().min(0).max(2 ** 31).default(1) }), response: worldSnapshotSchema },
  /** A scenario file the user opened (its text; validated by the engine, errors name the field path). */
  'scenario:load-file': {
    request: z.object({ fileName: z.string().max(200), text: z.string().max(SCENARIO_FILE_CHARS_MAX), seed: z.number().int().min(0).max(2 ** 31).default(1) }),
    response: worldSnapshotSchema
  },
  /** A new cluster from three numbers (then saved, edited and reopened like any file). */
  'scenario:new': {
    request: z.object({ racks: z.number().int().min(1).max(50), hostsPerRack: z.number().int().min(1).max(40), vmsPerHost: z.number().int().min(0).max(20), seed: z.number().int().min(0).max(2 ** 31).default(1) }),
    response: worldSnapshotSchema
  },
  /** The running scenario as a file to save. */
  'scenario:export': { request: z.undefined(), response: z.custom<{ readonly fileName: string; readonly text: string }>() },
  'history:list': { request: historyFilterSchema, response: z.custom<HistoryPage>() },
  'history:get': { request: z.object({ id: z.number().int().positive() }), response: z.custom<HistoryDetail>() },
  'history:verify': { request: z.undefined(), response: z.custom<AuditVerdict>() },
  'history:export': { request: z.object({ format: z.enum(['csv', 'json']) }), response: z.custom<{ readonly text: string; readonly rows: number }>() },
  /** What the engine offers: strategies (parameters, stages), stage labels, policies (parameter schemas), automation levels. */
  'engine:catalog': { request: z.undefined(), response: engineCatalogSchema },
  /** The engine's verdict (allowed, or why not, in words) on dropping one VM on each host, for drag feedback. */
  'sim:drop-verdicts': { request: z.object({ vmId: id }), response: z.array(dropVerdictSchema).readonly() },
  /** The engine's estimate (duration, data, downtime) of a move with the chosen parameters, before it starts; the path's defaults. */
  'sim:migration-estimate': { request: migrationEstimateRequestSchema, response: migrationEstimateSchema },
  'experiment:run': {
    request: z.object({ scenario: id, policies: z.array(id).min(1).max(12), seeds: z.array(z.number().int().min(0).max(2 ** 31)).min(1).max(50), hours: z.number().positive().max(24 * 7).optional(),
      compat: z.enum(['faithful', 'cloudsim']).optional() }),
    response: z.custom<ExperimentResult>()
  }
} as const

export const pushSchemas = {
  'sim:status': simStatusSchema,
  'sim:snapshot': worldSnapshotSchema,
  'sim:error': z.object({ message: z.string() }),
  'experiment:progress': z.custom<ExperimentProgress>()
} as const

export type InvokeChannel = keyof typeof invokeSchemas
export type PushChannel = keyof typeof pushSchemas
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeSchemas)[C]['request']>
/** A request as handlers see it: parsed, defaults filled. */
export type InvokeParsed<C extends InvokeChannel> = z.output<(typeof invokeSchemas)[C]['request']>
export type InvokeResponse<C extends InvokeChannel> = z.output<(typeof invokeSchemas)[C]['response']>
export type PushPayload<C extends PushChannel> = z.output<(typeof pushSchemas)[C]>

export type SimStatus = z.output<typeof simStatusSchema>
export type AppInfo = z.output<typeof appInfoSchema>
export type SimControl = z.output<typeof simControlSchema>
export type HistoryFilter = z.input<typeof historyFilterSchema>
export type ScenarioSummary = z.output<typeof scenarioSummarySchema>

// Adding a schema without listing its channel (or the reverse) fails to compile.
type SameKeys<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : never
const invokeListComplete: SameKeys<InvokeChannel, (typeof INVOKE_CHANNELS)[number]> = true
const pushListComplete: SameKeys<PushChannel, (typeof PUSH_CHANNELS)[number]> = true
void invokeListComplete
void pushListComplete

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(invokeSchemas, channel)
}

export function isPushChannel(channel: unknown): channel is PushChannel {
  return typeof channel === 'string' && Object.hasOwn(pushSchemas, channel)
}

/** The one API object the renderer sees (window.api in Electron, a WebSocket client in browser mode). */
export interface RendererApi {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<import('./result').Result<InvokeResponse<C>>>
  on<C extends PushChannel>(channel: C, listener: (payload: PushPayload<C>) => void): () => void
}
