// The engine host: runs the world in a worker thread and paces it. Each frame the pacer says how much virtual
// time is due; one `advance` is in flight at a time (backpressure: a slow worker or UI just gets fewer,
// larger steps), and snapshots are requested at most 30 times a second. Commands are logged with their
// virtual time, so a crashed worker is restarted and replayed to the same state (the engine is deterministic).
//
// Invariants:
//  1. At most one advance is outstanding; commands and snapshot requests queue behind it in the worker.
//  2. A crash is reported once through onError and never propagates to the caller's event loop.
import type { Worker } from 'node:worker_threads'
import type { DropVerdict, EngineCommand, WorldRecord, WorldSnapshot } from '../../engine/index'
import type { SimStatus } from '../ipc/contract'
import { Pacer, systemClock, type WallClock } from './pacer'
import type { FromWorker, ToWorker } from './protocol'
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

export interface EngineHostEvents {
  onSnapshot?(snapshot: WorldSnapshot): void
  /** A snapshot as JSON text (the frequent, paced ones): forward it without parsing. */
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
interface Pending { resolve(message: FromWorker): void }

export class EngineHost {
  readonly pacer: Pacer
  private worker: Worker | undefined
  private loaded: Loaded | undefined
  private readonly commandLog: { atUs: number; command: EngineCommand }[] = []
  private readonly pending = new Map<number, Pending>()
  private loadWaiter: Pending | undefined
  private nextId = 1
  private advancing = false
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
  private restartsInARow = 0

  constructor(private readonly options: EngineHostOptions = {}) {
    this.pacer = new Pacer(options.clock ?? systemClock)
    if (options.autoFrames !== false) this.timer = setInterval(() => this.frame(), FRAME_MS)
  }

  get restartCount(): number {
    return this.restarts
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
    return { nowUs: this.nowUs, playing, speed, traceHash: this.hash }
  }

  /** Loads a scenario (already parsed JSON) into a fresh worker; resolves with the first snapshot. */
  async load(scenario: unknown, seed: number): Promise<WorldSnapshot> {
    if (this.loaded?.scenario !== scenario) this.restartsInARow = 0
    this.loaded = { scenario, seed }
    this.commandLog.length = 0
    this.pacer.pause()
    this.startWorker()
    const message = await this.request({ type: 'load', scenario, seed })
    if (message.type !== 'loaded') throw new Error(message.type === 'failed' ? message.message : 'unexpected answer to load')
    this.accept(message.snapshot)
    return message.snapshot
  }

  async command(command: EngineCommand): Promise<{ ok: boolean; detail: string }> {
    if (this.worker === undefined) return { ok: false, detail: 'no scenario loaded' }
    const id = this.nextId++
    const message = await this.request({ type: 'command', id, command }, id)
    if (message.type !== 'command-result') return { ok: false, detail: message.type === 'failed' ? message.message : 'engine unavailable' }
    if (message.ok) this.commandLog.push({ atUs: message.snapshot.nowUs, command })
    this.options.onRecords?.(message.records)
    this.accept(message.snapshot)
    return { ok: message.ok, detail: message.detail }
  }

  /** The engine's verdict on dropping `vmId` on each host, from the current state. */
  async dropVerdicts(vmId: string): Promise<readonly DropVerdict[]> {
    if (this.worker === undefined) return []
    const id = this.nextId++
    const message = await this.request({ type: 'drop-verdicts', id, vmId }, id)
    return message.type === 'drop-verdicts' ? message.verdicts : []
  }

  /** Advances by `durationUs` now (the step button), waiting for the worker. */
  async step(durationUs: number): Promise<void> {
    if (this.worker === undefined || this.advancing) return
    await this.advance(this.nowUs + durationUs, true)
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
    if (this.worker === undefined || this.advancing) return
    const dueUs = this.pacer.takeDueUs()
    if (dueUs <= 0) return
    const nowMs = (this.options.clock ?? systemClock).nowMs()
    const wantSnapshot = nowMs - this.lastSnapshotMs >= this.snapshotIntervalMs()
    if (wantSnapshot) this.lastSnapshotMs = nowMs
    this.pacedAdvance = this.advance(this.nowUs + dueUs, wantSnapshot)
  }

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    void this.worker?.terminate()
    this.worker = undefined
  }

  /** Kills the worker as a crash would (tests). */
  async crashWorkerForTest(): Promise<void> {
    await this.worker?.terminate()
  }

  private async advance(toUs: number, wantSnapshot: boolean): Promise<void> {
    this.advancing = true
    try {
      const message = await this.request({ type: 'advance', toUs, wantSnapshot })
      if (message.type !== 'advanced') return
      this.nowUs = message.nowUs
      this.hash = message.traceHash
      this.restartsInARow = 0
      if (message.records.length > 0) this.options.onRecords?.(message.records)
      for (const error of message.errors) this.options.onError?.(error)
      if (message.snapshotJson !== null) {
        this.latestJson = message.snapshotJson
        this.latestSnapshotBytes = message.snapshotJson.length
        this.latestEntities = message.entities
        this.options.onSnapshotJson?.(message.snapshotJson)
      }
      this.options.onStatus?.(this.status())
    } finally {
      this.advancing = false
    }
  }

  /** At most 30 pushes a second, fewer for big worlds, so serialising them never crowds the main thread. */
  private snapshotIntervalMs(): number {
    const byEntities = SNAPSHOT_MIN_INTERVAL_MS * Math.max(1, this.latestEntities / SNAPSHOT_ENTITIES_AT_MIN_INTERVAL)
    return Math.max(byEntities, (1000 * this.latestSnapshotBytes) / (this.options.snapshotBytesPerSMax ?? SNAPSHOT_BYTES_PER_S_MAX))
  }

  private accept(snapshot: WorldSnapshot): void {
    this.latest = snapshot
    this.latestJson = undefined
    this.latestEntities = snapshot.hosts.length + snapshot.vms.length
    this.nowUs = snapshot.nowUs
    this.hash = snapshot.traceHash
    this.options.onSnapshot?.(snapshot)
    this.options.onStatus?.(this.status())
  }

  private request(message: ToWorker, id?: number): Promise<FromWorker> {
    return new Promise((resolve) => {
      const worker = this.worker
      if (worker === undefined) return resolve({ type: 'failed', message: 'engine unavailable' })
      if (id === undefined) this.loadWaiter = { resolve }
      else this.pending.set(id, { resolve })
      worker.postMessage(message)
    })
  }

  private startWorker(): void {
    const previous = this.worker
    this.worker = undefined
    void previous?.terminate()
    const worker = (this.options.workerFactory ?? createEngineWorker)()
    this.worker = worker
    worker.on('message', (message: FromWorker) => this.route(message))
    worker.on('error', (error) => this.crashed(worker, error.message))
    worker.on('exit', (code) => { if (this.worker === worker) this.crashed(worker, `exited with code ${code}`) })
  }

  private route(message: FromWorker): void {
    const id = message.type === 'command-result' || message.type === 'snapshot' || message.type === 'drop-verdicts' || message.type === 'failed' ? message.id : undefined
    if (id !== undefined && this.pending.has(id)) {
      const waiter = this.pending.get(id)
      this.pending.delete(id)
      waiter?.resolve(message)
      return
    }
    const waiter = this.loadWaiter
    this.loadWaiter = undefined
    waiter?.resolve(message)
    if (message.type === 'failed' && waiter === undefined) this.options.onError?.(`engine: ${message.message}`)
  }

  private crashed(worker: Worker, why: string): void {
    if (this.worker !== worker) return
    this.worker = undefined
    this.advancing = false
    this.options.onError?.(`engine worker crashed (${why}); restarting and replaying ${this.commandLog.length} command(s)`)
    for (const waiter of [...this.pending.values(), ...(this.loadWaiter === undefined ? [] : [this.loadWaiter])]) {
      waiter.resolve({ type: 'failed', message: `engine worker crashed: ${why}` })
    }
    this.pending.clear()
    this.loadWaiter = undefined
    this.restarts++
    if (++this.restartsInARow > RESTARTS_IN_A_ROW_MAX) {
      this.options.onError?.(`engine worker crashed ${RESTARTS_IN_A_ROW_MAX} times in a row; not restarting (load a scenario to try again)`)
      return
    }
    void this.replay()
  }

  /** Reloads the scenario and re-applies every logged command at its virtual time, then catches up to now. */
  private async replay(): Promise<void> {
    if (this.loaded === undefined) return
    const targetUs = this.nowUs
    const log = [...this.commandLog]
    const wasPlaying = this.pacer.state.playing
    await this.load(this.loaded.scenario, this.loaded.seed)
    for (const entry of log) {
      await this.advance(entry.atUs, false)
      await this.command(entry.command)
    }
    await this.advance(targetUs, true)
    if (wasPlaying) this.pacer.play()
  }
}
