// Writable-working-set probe (Clark §4, migration.md §8): harvest a dirty log every sampleUs (50 ms) and
// report the distinct pages dirtied over the sliding window that ends at each sample (8 s), plus the
// page-dirtying rate. The sliding union costs O(pages dirtied in the sample) per sample: each page keeps the
// index of the last sample that saw it, and each sample slot counts the pages whose last sample it is, so a
// sample leaving the window subtracts its count without visiting pages.
//
// Invariants:
//  1. wwsPages equals the number of distinct pages dirtied in the last windowSamples samples (oracle-tested).
//  2. Σ slot counts over the window = wwsPages.
import { assert } from '../kernel/assert'
import type { Timer } from '../kernel/event-queue'
import type { SimTimeUs } from '../kernel/time'
import type { DirtyBitmap } from './dirty-bitmap'
import type { DirtyLog } from './dirty-log'
import type { GuestMemory } from './guest-memory'
import type { Scheduler } from './scheduler'

export const WWS_SAMPLE_US_DEFAULT = 50_000
export const WWS_WINDOW_US_DEFAULT = 8_000_000

/** Sliding union of harvested bitmaps over the last `windowSamples` samples. */
export class WwsWindow {
  private readonly lastSample: Uint32Array
  private readonly slotCounts: Int32Array
  private sampleIndex = 0
  private inWindow = 0
  private pageBuffer = new Uint32Array(1024)

  constructor(readonly pageCount: number, readonly windowSamples: number) {
    assert(Number.isSafeInteger(windowSamples) && windowSamples >= 1, `windowSamples must be a positive integer, got ${windowSamples}`)
    this.lastSample = new Uint32Array(pageCount)
    this.slotCounts = new Int32Array(windowSamples)
  }

  /** Samples added so far. */
  get samples(): number {
    return this.sampleIndex
  }

  /** Distinct pages in the current window. */
  get wwsPages(): number {
    return this.inWindow
  }

  /** Adds one sample's dirty pages and returns the window's distinct page count. */
  addSample(dirty: DirtyBitmap): number {
    assert(dirty.pageCount === this.pageCount, 'WWS sample bitmap has the wrong size')
    const j = ++this.sampleIndex
    const windowSamples = this.windowSamples
    const slot = j % windowSamples
    const counts = this.slotCounts
    this.inWindow -= counts[slot]
    counts[slot] = 0
    const pages = this.pagesOf(dirty)
    const n = dirty.count
    const oldest = Math.max(1, j - windowSamples + 1)
    const last = this.lastSample
    let entered = 0
    // A tight loop over a page array (not a callback) lets the CPU overlap the scattered lastSample loads.
    for (let i = 0; i < n; i++) {
      const page = pages[i]
      const previous = last[page]
      if (previous >= oldest) {
        let previousSlot = slot - (j - previous)
        if (previousSlot < 0) previousSlot += windowSamples
        counts[previousSlot]--
      } else {
        entered++
      }
      last[page] = j
    }
    counts[slot] += n
    this.inWindow += entered
    return this.inWindow
  }

  /** The sample's pages in increasing order, in a reused buffer. */
  private pagesOf(dirty: DirtyBitmap): Uint32Array {
    if (this.pageBuffer.length < dirty.count) this.pageBuffer = new Uint32Array(Math.max(dirty.count, this.pageBuffer.length * 2))
    dirty.collect(this.pageBuffer)
    return this.pageBuffer
  }

  /** Bytes of probe state per page of guest memory (the last-sample index). */
  get stateBytes(): number {
    return this.lastSample.byteLength + this.slotCounts.byteLength
  }
}

export interface WwsProbeOptions {
  /** Harvest period in µs; default 50_000. */
  readonly sampleUs?: SimTimeUs
  /** Sliding window in µs, a multiple of sampleUs; default 8_000_000. */
  readonly windowUs?: SimTimeUs
  /** Keep every sample in `series` (default true); the summary is kept either way. */
  readonly keepSeries?: boolean
}

export interface WwsSample {
  readonly atUs: SimTimeUs
  /** Distinct pages dirtied in the window ending at this sample. */
  readonly wwsPages: number
  readonly wwsBytes: number
  /** Distinct pages dirtied since the previous sample. */
  readonly dirtyPages: number
  /** dirtyPages over the sample period: the rate a pre-copy round of that length would see. */
  readonly dirtyPagesPerS: number
  /** Every page write (re-writes included, guest and device) over the sample period. */
  readonly pageWritesPerS: number
}

export interface WwsSummary {
  readonly samples: number
  readonly sampleUs: SimTimeUs
  readonly windowUs: SimTimeUs
  readonly wwsBytesMax: number
  /** Mean over samples taken once a full window had elapsed (over all samples if none had). */
  readonly wwsBytesMean: number
  /** The last sample's WWS (0 before the first sample). */
  readonly wwsBytesFinal: number
  readonly dirtyPagesPerSMean: number
  readonly dirtyPagesPerSMax: number
  readonly pageWritesPerSMean: number
}

interface Totals { wwsBytesMax: number; wwsBytesSum: number; steadySamples: number; allWwsBytesSum: number;
  dirtyRateSum: number; dirtyRateMax: number; writeRateSum: number; final: number }

/** Harvests its own dirty log on `memory` at each `sample(atUs)` call and records the WWS series. */
export class WwsProbe {
  readonly sampleUs: SimTimeUs
  readonly windowUs: SimTimeUs
  readonly series: WwsSample[] = []
  private readonly log: DirtyLog
  private readonly window: WwsWindow
  private readonly keepSeries: boolean
  private lastAtUs: SimTimeUs
  private lastWrites: number
  private readonly totals: Totals = { wwsBytesMax: 0, wwsBytesSum: 0, steadySamples: 0, allWwsBytesSum: 0,
    dirtyRateSum: 0, dirtyRateMax: 0, writeRateSum: 0, final: 0 }

  constructor(private readonly memory: GuestMemory, startUs: SimTimeUs, options: WwsProbeOptions = {}) {
    this.sampleUs = options.sampleUs ?? WWS_SAMPLE_US_DEFAULT
    this.windowUs = options.windowUs ?? WWS_WINDOW_US_DEFAULT
    assert(Number.isSafeInteger(this.sampleUs) && this.sampleUs > 0, `sampleUs must be a positive integer, got ${this.sampleUs}`)
    assert(this.windowUs % this.sampleUs === 0 && this.windowUs > 0, `windowUs ${this.windowUs} must be a positive multiple of sampleUs ${this.sampleUs}`)
    this.keepSeries = options.keepSeries ?? true
    this.window = new WwsWindow(memory.pageCount, this.windowUs / this.sampleUs)
    this.log = memory.startDirtyLog()
    this.lastAtUs = startUs
    this.lastWrites = memory.totalPageWrites
  }

  get active(): boolean {
    return this.log.active
  }

  /** Harvests the log, advances the window and returns (and records) the sample for time `atUs`. */
  sample(atUs: SimTimeUs): WwsSample {
    assert(this.log.active, 'WWS probe sampled after stop')
    assert(atUs > this.lastAtUs, `WWS sample at ${atUs} not after the previous one at ${this.lastAtUs}`)
    const dirty = this.log.harvest()
    const wwsPages = this.window.addSample(dirty)
    const periodS = (atUs - this.lastAtUs) / 1_000_000
    const writes = this.memory.totalPageWrites
    const sample: WwsSample = {
      atUs, wwsPages, wwsBytes: wwsPages * this.memory.pageBytes, dirtyPages: dirty.count,
      dirtyPagesPerS: dirty.count / periodS, pageWritesPerS: (writes - this.lastWrites) / periodS
    }
    this.lastAtUs = atUs
    this.lastWrites = writes
    this.accumulate(sample)
    if (this.keepSeries) this.series.push(sample)
    return sample
  }

  summary(): WwsSummary {
    const t = this.totals
    const samples = this.window.samples
    const steady = t.steadySamples > 0
    return {
      samples, sampleUs: this.sampleUs, windowUs: this.windowUs, wwsBytesMax: t.wwsBytesMax,
      wwsBytesMean: samples === 0 ? 0 : steady ? t.wwsBytesSum / t.steadySamples : t.allWwsBytesSum / samples,
      wwsBytesFinal: t.final,
      dirtyPagesPerSMean: samples === 0 ? 0 : t.dirtyRateSum / samples, dirtyPagesPerSMax: t.dirtyRateMax,
      pageWritesPerSMean: samples === 0 ? 0 : t.writeRateSum / samples
    }
  }

  /** Stops the probe's dirty log (writes stop costing the probe anything). Idempotent. */
  stop(): void {
    this.log.stop()
  }

  private accumulate(sample: WwsSample): void {
    const t = this.totals
    t.wwsBytesMax = Math.max(t.wwsBytesMax, sample.wwsBytes)
    t.allWwsBytesSum += sample.wwsBytes
    if (this.window.samples >= this.window.windowSamples) {
      t.wwsBytesSum += sample.wwsBytes
      t.steadySamples++
    }
    t.dirtyRateSum += sample.dirtyPagesPerS
    t.dirtyRateMax = Math.max(t.dirtyRateMax, sample.dirtyPagesPerS)
    t.writeRateSum += sample.pageWritesPerS
    t.final = sample.wwsBytes
  }
}

export interface ScheduledWwsProbeOptions extends WwsProbeOptions {
  /** Timer priority; default 100, so workload ticks due at the same instant are applied first. */
  readonly priority?: number
  /** Called just before each harvest (e.g. to flush a workload driver's partial tick). */
  readonly beforeSample?: () => void
  /** Called with each sample (e.g. to emit it as an event). */
  readonly onSample?: (sample: WwsSample) => void
}

export const WWS_PROBE_PRIORITY = 100

/** A WWS probe sampled by the simulation every sampleUs until `stop()`. */
export class ScheduledWwsProbe extends WwsProbe {
  private timer: Timer | undefined

  constructor(private readonly sim: Scheduler, memory: GuestMemory, private readonly scheduled: ScheduledWwsProbeOptions = {}) {
    super(memory, sim.nowUs, scheduled)
    this.arm()
  }

  override stop(): void {
    this.sim.cancel(this.timer)
    this.timer = undefined
    super.stop()
  }

  private arm(): void {
    this.timer = this.sim.schedule(this.sampleUs, () => {
      this.scheduled.beforeSample?.()
      const sample = this.sample(this.sim.nowUs)
      this.arm()
      this.scheduled.onSample?.(sample)
    }, this.scheduled.priority ?? WWS_PROBE_PRIORITY)
  }
}

/** Starts a probe on `memory` that samples every sampleUs from now. */
export function startWwsProbe(sim: Scheduler, memory: GuestMemory, options: ScheduledWwsProbeOptions = {}): ScheduledWwsProbe {
  return new ScheduledWwsProbe(sim, memory, options)
}
