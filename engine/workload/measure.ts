// One-VM WWS measurement: a workload driven against fresh guest memory under a WWS probe for a given
// virtual duration. Used by `cutover wws` and by tests; deterministic for a given seed.
import { Simulation } from '../kernel/simulation'
import type { SimTimeUs } from '../kernel/time'
import { GuestMemory } from '../memory/guest-memory'
import { startWwsProbe, type WwsSample, type WwsSummary } from '../memory/wws'
import { attachWorkload } from './driver'
import { createWorkload } from './factory'
import { filledBytesFor, type WorkloadSpec } from './spec'

export interface WwsMeasurementOptions {
  readonly spec: WorkloadSpec
  readonly memBytes: number
  /** Default 4096. */
  readonly pageBytes?: number
  readonly durationUs: SimTimeUs
  readonly seed: number
  /** Default 50_000. */
  readonly sampleUs?: SimTimeUs
  /** Default 8_000_000. */
  readonly windowUs?: SimTimeUs
  /** Workload batch; default 10_000. */
  readonly tickUs?: SimTimeUs
  /** RNG stream name; default `workload/vm-0001`. */
  readonly streamName?: string
}

export interface WwsMeasurement {
  readonly pageBytes: number
  readonly series: readonly WwsSample[]
  readonly summary: WwsSummary
  readonly guestPageWrites: number
  readonly devicePageWrites: number
  /** CPU demand the workload reported last (fraction of vCPUs). */
  readonly cpuDemand: number
  readonly traceHash: string
}

/** Emitted at each probe sample (hashed into the trace). */
export interface WwsSampledEvent {
  readonly kind: 'memory.wwsSampled'
  readonly wwsPages: number
  readonly dirtyPages: number
}

export function measureWws(options: WwsMeasurementOptions): WwsMeasurement {
  const sim = new Simulation<WwsSampledEvent>(options.seed)
  const memory = new GuestMemory({
    memBytes: options.memBytes, pageBytes: options.pageBytes, filledBytes: filledBytesFor(options.spec, options.memBytes)
  })
  const workload = createWorkload(options.spec, sim.rng(options.streamName ?? 'workload/vm-0001'))
  const driver = attachWorkload(sim, memory, workload, { tickUs: options.tickUs })
  const probe = startWwsProbe(sim, memory, {
    sampleUs: options.sampleUs, windowUs: options.windowUs, beforeSample: () => driver.flush(),
    onSample: (sample) => sim.emit({ kind: 'memory.wwsSampled', wwsPages: sample.wwsPages, dirtyPages: sample.dirtyPages })
  })
  sim.runUntil(options.durationUs)
  driver.stop()
  probe.stop()
  return {
    pageBytes: memory.pageBytes, series: probe.series, summary: probe.summary(),
    guestPageWrites: memory.guestPageWrites, devicePageWrites: memory.devicePageWrites,
    cpuDemand: driver.cpuDemand, traceHash: sim.traceHash()
  }
}
