// The services behind the contract, shared by the Electron app and browser mode: the engine host (world in a
// worker), the scenario library, the history database with its recorder, experiments, and the handler for
// every invoke channel. Transports (Electron IPC, WebSocket) only carry what this returns.
import { availableParallelism } from 'node:os'
import { ENGINE_VERSION, engineCatalog } from '../engine/index'
import { openHistoryDb, type HistoryDb } from '../migrations-db'
import type { MigrationRow } from '../migrations-db/types'
import { createDispatcher, HandlerError, type Dispatch, type HandlerMap } from './ipc/dispatch'
import type { HistoryRow, PushChannel, PushPayload } from './ipc/contract'
import { EngineHost, type EngineHostOptions } from './engine-host/engine-host'
import { HistoryRecorder } from './history/recorder'
import { ScenarioLibrary } from './scenarios/library'
import { newScenario } from './scenarios/new-scenario'
import { runSweep } from './experiments/pipeline'
import { compareRuns, toCsv, toJson } from './experiments/summary'
import { planTasks } from './experiments/task'
import { APP_VERSION } from './app-version'
import { SlotGate } from './support/slot-gate'

/** Experiments running at once (each a worker using every core it can); more are refused with a clear message. */
export const EXPERIMENTS_AT_ONCE_MAX = 2

export type Pusher = <C extends PushChannel>(channel: C, payload: PushPayload<C>) => void

/** A transport's push side: objects, or payloads already encoded as JSON text (forwarded without re-encoding). */
export interface PushSink {
  push: Pusher
  pushJson(channel: PushChannel, json: string): void
}

export interface AppServicesOptions {
  readonly mode: 'electron' | 'browser'
  /** History database file; ':memory:' keeps nothing on disk. */
  readonly dbPath?: string
  readonly scenariosDir?: string
  /** Preset loaded at start; default small-cluster. */
  readonly initialScenario?: string | null
  readonly host?: Omit<EngineHostOptions, keyof import('./engine-host/engine-host').EngineHostEvents>
  readonly log?: (message: string) => void
  /** Experiments running at once; default EXPERIMENTS_AT_ONCE_MAX. */
  readonly experimentsAtOnceMax?: number
}

export interface AppServices {
  readonly dispatch: Dispatch
  readonly host: EngineHost
  readonly history: HistoryDb
  readonly ready: Promise<void>
  /** Connects push events to a transport; returns a disconnect function. */
  connectPushes(sink: PushSink): () => void
  dispose(): void
}

/** Runs offered by the History view's run filter, newest first. */
const RUNS_LISTED = 50

function historyRow(row: MigrationRow): HistoryRow {
  return {
    id: row.id, migrationId: row.engineId, runId: row.runId, vmId: row.vmId, source: row.sourceHostId, destination: row.targetHostId, strategy: row.strategy,
    trigger: row.trigger, reason: row.reason, outcome: row.outcome, abortReason: row.abortReason, startUs: row.startUs,
    totalTimeUs: row.totalUs, downtimeUs: row.downtimeUs, bytesSent: row.bytesSent, rounds: row.roundsCount,
    lostWrites: (row.lostWrites as number | null | undefined) ?? null
  }
}

export function createAppServices(options: AppServicesOptions): AppServices {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`))
  const sinks = new Set<PushSink>()
  const push: Pusher = (channel, payload) => { for (const sink of sinks) sink.push(channel, payload) }
  const history = openHistoryDb(options.dbPath ?? ':memory:')
  // Batches of at most 200 records keep each transaction on the main thread to a few ms, even when a fast
  // thousand-host run hands over thousands of records a second.
  const recorder = new HistoryRecorder(history, 0, {
    maxItems: 200, onError: (error) => push('sim:error', { message: `history write failed: ${(error as Error).message}` })
  })
  const library = new ScenarioLibrary(options.scenariosDir)
  const host = new EngineHost({
    ...options.host,
    onSnapshot: (snapshot) => push('sim:snapshot', snapshot),
    onSnapshotJson: (json) => { for (const sink of sinks) sink.pushJson('sim:snapshot', json) },
    onStatus: (status) => push('sim:status', status),
    onRecords: (records) => recorder.record(records),
    onError: (message) => { log(message); push('sim:error', { message }) }
  })

  let current: { name: string; scenario: unknown } | undefined
  /** The run the recorder writes to (null before the first load): the History view's default filter. */
  let currentRunId: number | null = null
  const experimentSlots = new SlotGate(options.experimentsAtOnceMax ?? EXPERIMENTS_AT_ONCE_MAX)

  /** Loads a scenario document into the engine and opens a history run; any failure is a refusal naming why. */
  async function loadScenario(name: string, seed: number, document: () => unknown, errorPrefix = '') {
    let scenario: unknown
    let snapshot
    try {
      scenario = document()
      snapshot = await host.load(scenario, seed)
    } catch (error) {
      // The engine keeps the world it had: say so, so nobody mistakes the old datacenter for a half-loaded new one.
      const still = host.hasWorld && current !== undefined ? ` (${current.name} is still running)` : ''
      throw new HandlerError('invalid-argument', `${errorPrefix}${(error as Error).message}${still}`)
    }
    current = { name, scenario }
    currentRunId = history.createRun({ scenario: name, scenarioJson: scenario as never, seed, policy: snapshot.policy.name, appVersion: APP_VERSION, engineVersion: ENGINE_VERSION })
    recorder.switchRun(currentRunId)
    return snapshot
  }

  // The catalog is static for a process (no plugins in the app): built once, served as is.
  const catalog = engineCatalog()
  const handlers: HandlerMap = {
    'app:get-info': () => ({ appVersion: APP_VERSION, engineVersion: ENGINE_VERSION, mode: options.mode }),
    'sim:get-status': () => host.status(),
    'sim:control': async (command) => {
      if (command.action === 'play' || command.action === 'step') {
        // Refused rather than accepted and ignored: a Play that cannot move the clock must not look like one.
        if (!host.hasWorld) throw new HandlerError('not-found', 'no scenario loaded; open one first')
        const halted = host.status().halted
        if (halted != null) throw new HandlerError('engine-halted', `the world halted (${halted}); load a scenario to continue`)
      }
      if (command.action === 'play') host.pacer.play()
      else if (command.action === 'pause') {
        host.pacer.pause()
        await host.settle()
      }
      else if (command.action === 'speed') host.pacer.setSpeed(command.speed)
      else await host.step(command.durationUs)
      const status = host.status()
      push('sim:status', status)
      return status
    },
    'sim:get-snapshot': () => {
      if (host.snapshot === undefined) throw new HandlerError('not-found', 'no scenario loaded yet')
      return host.snapshot
    },
    'sim:command': async (command) => {
      const outcome = await host.command(command)
      if (!outcome.ok) throw new HandlerError('invalid-argument', outcome.detail)
      return { accepted: true as const, detail: outcome.detail }
    },
    'scenario:list': () => library.list(),
    'scenario:load': ({ name, seed }) => loadScenario(name, seed, () => library.load(name)),
    'scenario:load-file': ({ fileName, text, seed }) => loadScenario(fileName.replace(/\.json$/i, ''), seed, () => {
      try {
        return JSON.parse(text) as unknown
      } catch (error) {
        throw new Error(`not valid JSON (${(error as Error).message})`)
      }
    }, `${fileName}: `),
    'scenario:new': ({ racks, hostsPerRack, vmsPerHost, seed }) => {
      const document = newScenario({ racks, hostsPerRack, vmsPerHost })
      return loadScenario(String(document.name), seed, () => document)
    },
    'scenario:export': () => {
      if (current === undefined) throw new HandlerError('not-found', 'no scenario loaded yet')
      return { fileName: `${current.name}.json`, text: JSON.stringify(current.scenario, null, 2) + '\n' }
    },
    'history:list': (filter) => {
      recorder.flush()
      // 'current' before any load matches no run (run ids start at 1).
      const runId = filter.run === 'all' ? undefined : filter.run === 'current' ? currentRunId ?? 0 : filter.run
      const filters = { runId, vmId: filter.vm, hostId: filter.host, outcome: filter.outcome, sinceUs: filter.sinceUs, untilUs: filter.untilUs }
      const page = history.listMigrations({ filters, sort: { key: filter.sort, direction: filter.direction }, cursor: filter.cursor ?? undefined, limit: filter.limit })
      const runs = history.listRuns(RUNS_LISTED).map((run) => ({ id: run.id, scenario: run.scenario, seed: run.seed, policy: run.policy }))
      return { rows: page.rows.map(historyRow), nextCursor: page.nextCursor, total: history.countMigrations(filters), currentRunId, runs }
    },
    'history:get': ({ id }) => {
      const detail = history.getMigration(id)
      if (detail === null) throw new HandlerError('not-found', `no migration ${id} in the history`)
      return {
        migration: historyRow(detail),
        rounds: detail.rounds.map((round) => ({
          index: round.roundIndex, startUs: round.startUs, durationUs: round.durationUs, pagesSent: round.pagesSent, bytesSent: round.bytesSent,
          rateMbitPerS: round.rateMbitPerS, dirtyPagesAfter: round.pagesDirtied, final: round.roundIndex === detail.rounds.length
        }))
      }
    },
    'history:verify': async () => {
      recorder.flush()
      // In chunks, yielding between them: a large history must not stall every other client for seconds.
      const verdict = await history.verifyAuditAsync()
      return { ok: verdict.ok, checked: verdict.checked, firstBadSeq: verdict.firstBadSeq ?? null, reason: verdict.reason ?? null }
    },
    'history:export': ({ format }) => {
      recorder.flush()
      let text = ''
      for (const chunk of history.exportChunks({ format })) text += chunk
      return { text, rows: history.countMigrations({}) }
    },
    'engine:catalog': () => catalog,
    'sim:drop-verdicts': ({ vmId }) => host.dropVerdicts(vmId),
    'sim:migration-estimate': async (request) => {
      const answer = await host.migrationEstimate(request)
      if (answer === undefined) throw new HandlerError('not-found', 'no scenario loaded yet')
      if (answer.estimate === null) throw new HandlerError('invalid-argument', answer.refusal ?? 'no estimate')
      return answer.estimate
    },
    'experiment:run': async ({ scenario, policies, seeds, hours, compat }) => {
      // Each experiment runs a pool of workers with their own heaps: refuse more than the cap instead of starting them all.
      const release = experimentSlots.tryAcquire()
      if (release === undefined) {
        throw new HandlerError('busy', `${experimentSlots.limit} experiments are already running (the most at once); wait for one to finish`)
      }
      try {
        // The same plan, pool and summary as `cutover sweep <scenario> --policies … --seeds …` (one core is left
        // to the engine worker and the UI).
        const tasks = planTasks(JSON.stringify(library.load(scenario)), scenario, policies, seeds, { hours, ...(compat === undefined ? {} : { compat }) })
        const workers = Math.max(1, Math.min(availableParallelism() - 1, tasks.length))
        const runs = await runSweep(tasks, { workers, policyOrder: policies, onProgress: (done, total) => push('experiment:progress', { done, total }) })
        return { runs, comparison: compareRuns(runs), exports: { csv: toCsv(runs), json: toJson(runs) } }
      } catch (error) {
        throw new HandlerError('invalid-argument', (error as Error).message)
      } finally {
        release()
      }
    }
  }

  const initial = options.initialScenario === undefined ? 'small-cluster' : options.initialScenario
  const ready = initial === null ? Promise.resolve() : loadScenario(initial, 1, () => library.load(initial)).then(() => undefined, (error: Error) => log(`could not load ${initial}: ${error.message}`))

  return {
    dispatch: createDispatcher(handlers, log),
    host, history, ready,
    connectPushes: (sink) => { sinks.add(sink); return () => sinks.delete(sink) },
    dispose: () => {
      host.dispose()
      recorder.flush()
      history.close()
    }
  }
}
