// The engine host: runs the world in a worker thread and paces it. Each frame the pacer says how much virtual
// time is due; one `advance` is in flight at a time (backpressure: a slow worker or UI just gets fewer,
// larger steps, each kept to about 50 ms of the worker's work so a command never waits long behind one), and
// snapshots are requested at most 30 times a second. Commands are logged with their
// virtual time, so a crashed worker is restarted and replayed to the same state (the engine is deterministic).
//
// A command while playing: no frame is sent while it waits (an advance queued behind it would be sized by the
// pace from before it), the worker answers it without a snapshot, and the host answers the caller and at once
// sends a short probe advance that carries one, so the state shown is the command's effect already running
// (a dropped VM's first round in flight, not its reservation). Paused, the command's answer carries the state.
//
// Invariants:
//  1. Every request to the worker carries its own id and settles exactly once: with its answer, or with a
//     failure when the worker crashes, is replaced or the host is disposed. Nothing waits forever.
//  2. At most one advance is outstanding; commands and snapshot requests queue behind it in the worker.
//  3. A load that fails leaves the previous world running (the worker swaps worlds only once the new one exists).
//  4. A replay after a crash re-creates state only: it records nothing and pushes only the final state.
//  5. A crash is reported once through onError and never propagates to the caller's event loop.
import type { Worker } from 'node:worker_threads'
import type { DropVerdict, EngineCommand, MigrationEstimateAnswer, MigrationEstimateRequest, WorldRecord, WorldSnapshot } from '../../engine/index'
import type { SimStatus } from '../ipc/contract'
import { Pacer, systemClock, type WallClock } from './pacer'
import { AdvancePace } from './advance-pace'
import type { FromWorker, HaltReason, ToWorkerBody } from './protocol'
import { createEngineWorker, type WorkerFactory } from './worker-factory'

export const FRAME_MS = 33
/** Crashes in a row (without a successful advance between them) after which the host stops restarting. */
const RESTARTS_IN_A_ROW_MAX = 3
const SNAPSHOT_MIN_INTERVAL_MS = 33
/** Hosts + VMs per snapshot that the minimum interval is sized for; bigger worlds push proportionally less often. */
const SNAPSHOT_ENTITIES_AT_MIN_INTERVAL = 1_000
/**
 * Snapshot text per second pushed to the window at most. Every byte is serialised here, sent, decoded and parsed
 * in the window and diffed into the view: 1 MB/s keeps that under a frame's budget on a 2-core machine, so a
 * thousand hosts (1.2 MB a snapshot) refresh about once a second while the clock still ticks every frame.
 */
const SNAPSHOT_BYTES_PER_S_MAX = 1_000_000
const STOPPED = 'engine host stopped'

export interface EngineHostEvents {
  /** A snapshot as an object (a load, the end of a replay after a crash). */
  onSnapshot?(snapshot: WorldSnapshot): void
  /** A snapshot as JSON text (the paced ones and the state after each command): forward it without parsing. */
  onSnapshotJson?(json: string): void
  onStatus?(status: SimStatus): void
  onRecords?(records: readonly WorldRecord[]): void
  onError?(message: string): void
}

export interface EngineHostOptions extends EngineHostEvents {
  readonly clock?: WallClock
  readonly workerFactory?: WorkerFactory
  /** Starts the frame timer; tests pass false and call frame() themselves. */
  readonly autoFrames?: boolean
  /** Snapshot text pushed per second at most; default SNAPSHOT_BYTES_PER_S_MAX. */
  readonly snapshotBytesPerSMax?: number
}

interface Loaded { readonly scenario: unknown; readonly seed: number }
/** Replayed requests re-create state only: their records are dropped and their snapshots not pushed. */
interface Delivery { readonly replaying: boolean }
const LIVE: Delivery = { replaying: false }
const REPLAY: Delivery = { replaying: true }

export class EngineHost {
  readonly pacer: Pacer
  private worker: Worker | undefined
  /** The world the worker holds (what a replay rebuilds); set only once a load has succeeded. */
  private loaded: Loaded | undefined
  private readonly commandLog: { atUs: number; command: EngineCommand }[] = []
  private readonly pending = new Map<number, (message: FromWorker) => void>()
  private nextId = 1
  private advancing = false
  /** Live commands sent and not yet answered: frames wait for them. */
  private commands = 0
  /** The next advance carries a snapshot whatever the interval (the state after a command). */
  private snapshotSoon = false
  /** Loads in flight: frames wait, since a frame's target time belongs to the world being replaced. */
  private loads = 0
  private replaying: Promise<void> | undefined
  private halted: HaltReason = null
  private nowUs = 0
  private hash = ''
  private lastSnapshotMs = -Infinity
  private latest: WorldSnapshot | undefined
  private latestJson: string | undefined
  /** Size of the last snapshot text (characters ≈ bytes: the JSON is ASCII but for names). */
  private latestSnapshotBytes = 0
  private latestEntities = 0
  private timer: ReturnType<typeof setInterval> | undefined
  /** The paced advance in flight, if any (see settle). */
  private pacedAdvance: Promise<void> | undefined
  private restarts = 0
  /** The worker's pace; a new world or a new worker starts unjudged. */
  private pace = new AdvancePace()
  /** Snapshots pushed so far: a deferred push is dropped once a newer state has gone out. */
  private pushes = 0
  private restartsInARow = 0
  private disposed = false

  constructor(private readonly options: EngineHostOptions = {}) {
    this.pacer = new Pacer(options.clock ?? systemClock)
    if (options.autoFrames !== false) this.timer = setInterval(() => this.frame(), FRAME_MS)
  }

  get restartCount(): number {
    return this.restarts
  }

  /** Requests sent to the worker and not yet settled (0 whenever the host is idle). */
  get pendingCount(): number {
    return this.pending.size
  }

  /** True while the engine holds a world (a failed load does not change it). */
  get hasWorld(): boolean {
    return this.loaded !== undefined && this.worker !== undefined
  }

  /** The latest snapshot (parsed on demand when it arrived as JSON). */
  get snapshot(): WorldSnapshot | undefined {
    if (this.latestJson !== undefined) {
      this.latest = JSON.parse(this.latestJson) as WorldSnapshot
      this.latestJson = undefined
    }
    return this.latest
  }

  status(): SimStatus {
    const { playing, speed } = this.pacer.state
    return { nowUs: this.nowUs, playing, speed, traceHash: this.hash, halted: this.halted }
  }

  /**
   * Loads a scenario (already parsed JSON); resolves with the first snapshot of the new world, paused. If the
   * engine refuses it, this rejects and the previous world (if any) keeps running as it was.
   */
  async load(scenario: unknown, seed: number): Promise<WorldSnapshot> {
    await this.replaying
    if (this.disposed) throw new Error(STOPPED)
    if (this.worker === undefined) {
      // The host gave up restarting: no world is left to fall back on.
      this.loaded = undefined
      this.startWorker()
    }
    this.loads++
    let message: FromWorker
    try {
      message = await this.request({ type: 'load', scenario, seed })
    } finally {
      this.loads--
    }
    if (message.type !== 'loaded') throw new Error(message.type === 'failed' ? message.message : 'unexpected answer to load')
    if (this.loaded?.scenario !== scenario) this.restartsInARow = 0
    this.loaded = { scenario, seed }
    this.commandLog.length = 0
    this.halted = null
    this.pace = new AdvancePace()
    this.pacer.pause()
    this.accept(message.snapshot, LIVE)
    return message.snapshot
  }

  async command(command: EngineCommand): Promise<{ ok: boolean; detail: string }> {
    await this.replaying
    return this.sendCommand(command, LIVE)
  }

  /** The engine's verdict on dropping `vmId` on each host, from the current state. */
  async dropVerdicts(vmId: string): Promise<readonly DropVerdict[]> {
    if (this.worker === undefined) return []
    const message = await this.request({ type: 'drop-verdicts', vmId })
    return message.type === 'drop-verdicts' ? message.verdicts : []
  }

  /** The estimate model's cost of a move with the chosen parameters, or why there is none; undefined without a world. */
  async migrationEstimate(request: MigrationEstimateRequest): Promise<{ estimate: MigrationEstimateAnswer | null; refusal: string | null } | undefined> {
    if (this.worker === undefined) return undefined
    const message = await this.request({ type: 'migration-estimate', request })
    return message.type === 'migration-estimate' ? { estimate: message.estimate, refusal: message.refusal } : undefined
  }

  /** Advances by `durationUs` now (the step button), waiting for the worker. */
  async step(durationUs: number): Promise<void> {
    await this.replaying
    if (this.worker === undefined || this.advancing || this.loads > 0 || this.halted !== null) return
    await this.advance(this.nowUs + durationUs, true, LIVE)
  }

  /**
   * Resolves once the paced advance in flight (if any) has landed. After a pause, the status reported then is
   * final: no later push moves the clock.
   */
  async settle(): Promise<void> {
    await this.pacedAdvance?.catch(() => {})
  }

  /** One pacing frame: if nothing is in flight, ask the worker to run what the pacer says is due. */
  frame(): void {
    if (this.worker === undefined || this.advancing || this.commands > 0 || this.loads > 0 || this.replaying !== undefined || this.halted !== null) return
    const dueUs = Math.min(this.pacer.takeDueUs(), this.pace.capUs())
    if (dueUs <= 0) return
    const nowMs = (this.options.clock ?? systemClock).nowMs()
    const wantSnapshot = this.snapshotSoon || nowMs - this.lastSnapshotMs >= this.snapshotIntervalMs()
    if (wantSnapshot) {
      this.lastSnapshotMs = nowMs
      this.snapshotSoon = false
    }
    this.pacedAdvance = this.advance(this.nowUs + dueUs, wantSnapshot, LIVE)
  }

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.disposed = true
    const worker = this.worker
    this.worker = undefined
    void worker?.terminate()
    this.settleAll(STOPPED)
  }

  /** Kills the worker as a crash would (tests). */
  async crashWorkerForTest(): Promise<void> {
    await this.worker?.terminate()
  }

  private async sendCommand(command: EngineCommand, delivery: Delivery): Promise<{ ok: boolean; detail: string }> {
    if (this.worker === undefined) {
      if (this.disposed) return { ok: false, detail: STOPPED }
      return { ok: false, detail: this.loaded === undefined ? 'no scenario loaded' : 'the engine stopped after repeated crashes; load a scenario to continue' }
    }
    // Playing, the state comes from the probe advance right behind the command; a replay needs none at all.
    const wantSnapshot = !delivery.replaying && (!this.pacer.state.playing || this.halted !== null)
    if (!delivery.replaying) this.commands++
    let message: FromWorker
    try {
      message = await this.request({ type: 'command', command, wantSnapshot })
    } finally {
      if (!delivery.replaying) this.commands--
    }
    if (message.type !== 'command-result') return { ok: false, detail: message.type === 'failed' ? message.message : 'engine unavailable' }
    if (message.ok && !delivery.replaying) this.commandLog.push({ atUs: message.nowUs, command })
    if (!delivery.replaying) this.options.onRecords?.(message.records)
    this.noteHalt(message.halted, delivery)
    this.nowUs = message.nowUs
    this.hash = message.traceHash
    if (message.ok) this.pace.invalidate()
    if (message.snapshotJson !== null) this.keepJson(message.snapshotJson, message.entities)
    if (!delivery.replaying) {
      // The answer goes out first (the sheet closes at once), the state right behind it: pushed after the
      // caller's reply is on its way, not before it.
      const json = message.snapshotJson
      const pushesBefore = this.pushes
      if (json !== null) setImmediate(() => { if (!this.disposed && this.pushes === pushesBefore) this.pushJson(json) })
      else setImmediate(() => this.stateAfterCommand())
      this.options.onStatus?.(this.status())
    }
    return { ok: message.ok, detail: message.detail }
  }

  /**
   * The state after a command answered without one: the next advance carries it, sent now (a probe, as the
   * pace is re-learnt); if no frame can go (paused meanwhile, or halted), an advance to now does.
   */
  private stateAfterCommand(): void {
    if (this.disposed || this.worker === undefined || this.loads > 0 || this.replaying !== undefined) return // those push their own state
    this.snapshotSoon = true
    if (this.advancing || this.commands > 0) return // the next advance (after them) carries it
    this.frame()
    if (this.advancing) return
    this.snapshotSoon = false
    this.lastSnapshotMs = (this.options.clock ?? systemClock).nowMs()
    void this.advance(this.nowUs, true, LIVE)
  }

  private async advance(toUs: number, wantSnapshot: boolean, delivery: Delivery): Promise<void> {
    this.advancing = true
    const clock = this.options.clock ?? systemClock
    const startedMs = clock.nowMs()
    const fromUs = this.nowUs
    try {
      const message = await this.request({ type: 'advance', toUs, wantSnapshot })
      if (message.type !== 'advanced') return
      // The worker's own timing excludes the snapshot's cost, so every advance can teach the pace (in a small
      // world nearly every frame carries a snapshot); without it only a snapshot-free advance can.
      const workMs = message.workMs ?? (wantSnapshot ? null : clock.nowMs() - startedMs)
      if (workMs !== null) this.pace.note(message.nowUs - fromUs, workMs)
      else this.pace.unmeasured()
      this.nowUs = message.nowUs
      this.hash = message.traceHash
      // A replay that succeeds does not prove the worker healthy: a crash it reproduces must still count.
      if (!delivery.replaying) this.restartsInARow = 0
      if (message.records.length > 0 && !delivery.replaying) this.options.onRecords?.(message.records)
      if (!delivery.replaying) for (const error of message.errors) this.options.onError?.(`engine: ${error}`)
      this.noteHalt(message.halted, delivery)
      if (message.snapshotJson !== null) {
        this.keepJson(message.snapshotJson, message.entities)
        if (!delivery.replaying) this.pushJson(message.snapshotJson)
      }
      if (!delivery.replaying) this.options.onStatus?.(this.status())
    } finally {
      this.advancing = false
    }
  }

  /** The world stopped on an engine error: stop playing and say so once (its audit entry is in the records). */
  private noteHalt(halted: HaltReason, delivery: Delivery): void {
    if (halted === null || this.halted !== null) return
    this.halted = halted
    this.pacer.pause()
    if (!delivery.replaying) this.options.onError?.(`the engine halted the world at ${this.nowUs} µs: ${halted}. It is frozen as it was; load a scenario to continue`)
  }

  /** The latest state as text (parsed only if someone asks for the object). */
  private keepJson(json: string, entities: number): void {
    this.latestJson = json
    this.latestSnapshotBytes = json.length
    this.latestEntities = entities
  }

  /** Pushes a snapshot's text; a listener that wants objects only gets it parsed. */
  private pushJson(json: string): void {
    this.pushes++
    if (this.options.onSnapshotJson !== undefined) this.options.onSnapshotJson(json)
    else this.options.onSnapshot?.(JSON.parse(json) as WorldSnapshot)
  }

  /** At most 30 pushes a second, fewer for big worlds, so serialising them never crowds the main thread. */
  private snapshotIntervalMs(): number {
    const byEntities = SNAPSHOT_MIN_INTERVAL_MS * Math.max(1, this.latestEntities / SNAPSHOT_ENTITIES_AT_MIN_INTERVAL)
    return Math.max(byEntities, (1000 * this.latestSnapshotBytes) / (this.options.snapshotBytesPerSMax ?? SNAPSHOT_BYTES_PER_S_MAX))
  }

  private accept(snapshot: WorldSnapshot, delivery: Delivery): void {
    this.latest = snapshot
    this.latestJson = undefined
    this.latestEntities = snapshot.hosts.length + snapshot.vms.length
    this.nowUs = snapshot.nowUs
    this.hash = snapshot.traceHash
    if (delivery.replaying) return
    this.options.onSnapshot?.(snapshot)
    this.options.onStatus?.(this.status())
  }

  private request(body: ToWorkerBody): Promise<FromWorker> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const worker = this.worker
      if (worker === undefined) return resolve({ type: 'failed', id, message: 'engine unavailable' })
      this.pending.set(id, resolve)
      try {
        worker.postMessage({ ...body, id })
      } catch (error) {
        this.pending.delete(id)
        resolve({ type: 'failed', id, message: `cannot send to the engine: ${(error as Error).message}` })
      }
    })
  }

  /** Answers every request still waiting with a failure (crash, replacement, dispose). */
  private settleAll(why: string): void {
    const waiting = [...this.pending.entries()]
    this.pending.clear()
    for (const [id, resolve] of waiting) resolve({ type: 'failed', id, message: why })
  }

  private startWorker(): void {
    this.pace = new AdvancePace()
    const worker = (this.options.workerFactory ?? createEngineWorker)()
    this.worker = worker
    worker.on('message', (message: FromWorker) => { if (this.worker === worker) this.route(message) })
    worker.on('error', (error) => this.crashed(worker, error.message))
    worker.on('exit', (code) => this.crashed(worker, `exited with code ${code}`))
  }

  private route(message: FromWorker): void {
    const resolve = this.pending.get(message.id)
    if (resolve === undefined) return // answer to a request already settled (e.g. by a crash in between)
    this.pending.delete(message.id)
    resolve(message)
  }

  private crashed(worker: Worker, why: string): void {
    if (this.worker !== worker) return
    this.worker = undefined
    this.options.onError?.(`engine worker crashed (${why}); restarting and replaying ${this.commandLog.length} command(s)`)
    this.settleAll(`engine worker crashed: ${why}`)
    this.restarts++
    if (++this.restartsInARow > RESTARTS_IN_A_ROW_MAX) {
      this.options.onError?.(`engine worker crashed ${RESTARTS_IN_A_ROW_MAX} times in a row; not restarting (load a scenario to try again)`)
      return
    }
    if (this.loaded === undefined) return
    const replay = this.replay(this.loaded).finally(() => { if (this.replaying === replay) this.replaying = undefined })
    this.replaying = replay
  }

  /**
   * Reloads the scenario in a fresh worker and re-applies every logged command at its virtual time, then
   * catches up to where the crash happened. Everything it sees was recorded before, so it records nothing.
   */
  private async replay(loaded: Loaded): Promise<void> {
    const targetUs = this.nowUs
    const log = [...this.commandLog]
    const wasPlaying = this.pacer.state.playing
    this.pacer.pause()
    this.startWorker()
    const worker = this.worker
    const current = (): boolean => this.worker === worker // a crash during the replay starts another one
    const first = await this.request({ type: 'load', scenario: loaded.scenario, seed: loaded.seed })
    if (first.type !== 'loaded' || !current()) return
    this.accept(first.snapshot, REPLAY)
    for (const entry of log) {
      await this.advance(entry.atUs, false, REPLAY)
      if (!current()) return
      await this.sendCommand(entry.command, REPLAY)
      if (!current()) return
    }
    await this.advance(targetUs, true, REPLAY)
    if (!current()) return
    const snapshot = this.snapshot
    if (snapshot !== undefined) this.options.onSnapshot?.(snapshot)
    if (wasPlaying && this.halted === null) this.pacer.play()
    this.options.onStatus?.(this.status())
  }
}
