// The migration laboratory behind `cutover migrate`: one VM with a workload on host-a, two hosts on one
// switch, a warm-up, then one migration to host-b with the chosen strategy and faults; returns the result in
// the CLI contract's shape. Pure and deterministic: same config + seed ⇒ same result and trace hash.
import { Simulation } from '../kernel/simulation'
import { msToUs, sToUs, usToMs } from '../kernel/time'
import { GuestMemory } from '../memory/guest-memory'
import { MIB } from '../memory/geometry'
import { attachWorkload } from '../workload/driver'
import { createWorkload } from '../workload/factory'
import { filledBytesFor, type WorkloadSpec } from '../workload/spec'
import { FixedRateChannel, type BulkChannel } from './channel'
import type { FaultKind, PlannedFault } from './faults'
import { Migration } from './migration'
import { DEFAULT_PARAMS, type MigrationEvent, type MigrationParams, type MigrationResult } from './types'
import { WorkloadVm } from './workload-vm'

/** Small VMs keep real page bytes so completed runs are verified byte for byte. */
export const REAL_BYTES_UP_TO = 64 * MIB

export interface LabConfig {
  readonly seed: number
  readonly memMiB: number
  readonly pageKiB: number
  readonly workload: WorkloadSpec
  readonly warmupS: number
  readonly linkMbitPerS: number
  readonly latencyUs: number
  readonly params: MigrationParams
  readonly faults: readonly PlannedFault[]
  readonly clients: number
  readonly arp: 'gratuitous' | 'none' | 'directed'
}

export interface LabRound {
  readonly index: number
  readonly startMs: number
  readonly durationMs: number
  readonly pagesSent: number
  readonly bytesSent: number
  readonly rateMbitPerS: number
  readonly dirtyPagesAfter: number
  readonly final: boolean
}

export interface LabResult {
  readonly strategy: string
  readonly seed: number
  readonly outcome: string
  readonly memBytes: number
  readonly pageBytes: number
  readonly totalTimeMs: number
  readonly downtimeMs: number
  readonly clientOutageMs: number | null
  readonly bytesSent: number
  readonly pagesSent: number
  readonly zeroPagesSent: number
  readonly rounds: readonly LabRound[]
  readonly lostWrites: number
  readonly maxRunningCopies: number
  readonly runningOn: string | null
  readonly abortReason: string | null
  readonly traceHash: string
  readonly bytesVerified: boolean
  readonly downtimeParts: { readonly finalCopyMs: number; readonly commitMs: number; readonly resumeMs: number }
  readonly throttlePctMax: number
  readonly postcopyFaults: number
  readonly postcopyBlockTimeMs: number
  readonly xbzrle: MigrationResult['xbzrle']
  readonly simulatedMs: number
}

export const DEFAULT_LAB: LabConfig = {
  seed: 1, memMiB: 512, pageKiB: 4, workload: { kind: 'idle' }, warmupS: 3, linkMbitPerS: 1000, latencyUs: 100,
  params: DEFAULT_PARAMS, faults: [], clients: 0, arp: 'gratuitous'
}

/** Everything a lab run builds; tests inspect it (memory, destination image, events). */
export interface LabWorld {
  readonly sim: Simulation<MigrationEvent>
  readonly memory: GuestMemory
  readonly channel: BulkChannel
  readonly events: MigrationEvent[]
}

export function runMigrationLab(config: LabConfig, observe?: (world: LabWorld) => void): LabResult {
  const sim = new Simulation<MigrationEvent>(config.seed)
  const memBytes = config.memMiB * MIB
  const memory = new GuestMemory({
    memBytes, pageBytes: config.pageKiB * 1024, filledBytes: filledBytesFor(config.workload, memBytes),
    realBytes: memBytes <= REAL_BYTES_UP_TO
  })
  const driver = attachWorkload(sim, memory, createWorkload(config.workload, sim.rng('workload/vm-0001')))
  const vm = new WorkloadVm('vm-0001', memory, driver)
  const channel = new FixedRateChannel(config.linkMbitPerS * 1e6, config.latencyUs)
  const events: MigrationEvent[] = []
  sim.subscribe((event) => events.push(event))
  observe?.({ sim, memory, channel, events })
  sim.runUntil(sToUs(config.warmupS))

  let result: MigrationResult | undefined
  const hostsUp = { source: true, destination: true }
  const migration = new Migration({
    migrationId: 'mig-0001', sim, vm, channel, params: config.params, faults: config.faults,
    applyFault: (kind) => applyLabFault(kind, channel, hostsUp),
    hosts: {
      source: 'host-a', destination: 'host-b',
      reserve: () => (hostsUp.destination ? null : 'destination is down'),
      release: () => {}, activate: () => {}, releaseSource: () => {}
    },
    onFinished: (finished) => { result = finished }
  })
  migration.start()
  const horizonUs = sim.nowUs + config.params.cancelAfterUs + 60_000_000
  while (result === undefined && sim.nowUs < horizonUs) sim.runUntil(Math.min(horizonUs, sim.nowUs + 1_000_000))
  driver.stop()
  if (result === undefined) throw new Error('migration did not finish by its cancel horizon')
  return toLabResult(config, memory, result, sim.traceHash(), sim.nowUs)
}

function applyLabFault(kind: FaultKind, channel: FixedRateChannel, hostsUp: { source: boolean; destination: boolean }): void {
  if (kind === 'link-down' || kind === 'partition') channel.setUp(false)
  if (kind === 'dest-crash') hostsUp.destination = false
  if (kind === 'source-crash') hostsUp.source = false
}

function toLabResult(config: LabConfig, memory: GuestMemory, result: MigrationResult, traceHash: string, endUs: number): LabResult {
  return {
    strategy: result.strategy, seed: config.seed, outcome: result.outcome, memBytes: memory.memBytes, pageBytes: memory.pageBytes,
    totalTimeMs: usToMs(result.totalTimeUs), downtimeMs: usToMs(result.downtimeUs), clientOutageMs: null,
    bytesSent: result.bytesSent, pagesSent: result.pagesSent, zeroPagesSent: result.zeroPagesSent,
    rounds: result.rounds.map((round) => ({
      index: round.index, startMs: usToMs(round.startUs - result.startUs), durationMs: usToMs(round.durationUs),
      pagesSent: round.pagesSent, bytesSent: round.bytesSent, rateMbitPerS: Math.round(round.rateMbitPerS * 10) / 10,
      dirtyPagesAfter: round.dirtyPagesAfter, final: round.final
    })),
    lostWrites: result.lostWrites, maxRunningCopies: result.maxRunningCopies, runningOn: result.runningOn,
    abortReason: result.abortReason, traceHash, bytesVerified: result.bytesVerified,
    downtimeParts: { finalCopyMs: usToMs(result.downtimeParts.finalCopyUs), commitMs: usToMs(result.downtimeParts.commitUs), resumeMs: usToMs(result.downtimeParts.resumeUs) },
    throttlePctMax: result.throttlePctMax, postcopyFaults: result.postcopyFaults,
    postcopyBlockTimeMs: usToMs(result.postcopyBlockTimeUs), xbzrle: result.xbzrle, simulatedMs: usToMs(endUs)
  }
}

export { msToUs }
