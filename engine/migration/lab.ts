// The migration laboratory behind `cutover migrate`: one VM with a workload on host-a, two hosts on one
// switch, a warm-up, then one migration to host-b with the chosen strategy and faults; returns the result in
// the CLI contract's shape. Pure and deterministic: same config + seed ⇒ same result and trace hash.
import { roundMs, type RoundMs } from '../api/rounds'
import { Simulation } from '../kernel/simulation'
import { sToUs, usToMs, type SimTimeUs } from '../kernel/time'
import { GuestMemory } from '../memory/guest-memory'
import { MIB } from '../memory/geometry'
import { attachWorkload } from '../workload/driver'
import { createWorkload } from '../workload/factory'
import { filledBytesFor, type WorkloadSpec } from '../workload/spec'
import { Lan } from '../net/lan'
import type { LanSpec, LinkSpec } from '../net/spec'
import type { NetEvent } from '../net/types'
import type { RequestClient } from '../net/traffic'
import { longestOutageUs } from '../net/client-stats'
import type { WorkloadDriver } from '../workload/driver'
import { LanChannel } from './lan-channel'
import type { MigratableVm } from './vm-handle'
import type { MigrationFaultKind, PlannedFault } from '../faults/vocabulary'
import { Migration } from './migration'
import { RunningCopiesObserver } from './copy-observer'
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
  /** Whether the VM keeps its MAC across hosts (QEMU, Xen) or gets a per-host one; default moves-with-vm. */
  readonly macPolicy?: 'moves-with-vm' | 'per-host'
}

/** A round in `cutover migrate --json` (cli-contract.md): ms from the migration's start. */
export type LabRound = RoundMs

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
  /** Per the CLI contract: `cancelled` when the time cap (`--cancel-after-s`) stopped it; otherwise the engine's reason. */
  readonly abortReason: string | null
  /** The engine's own words for the abort (e.g. "timed out after 10 min (the migration's time cap)"); null when none. */
  readonly abortDetail: string | null
  readonly traceHash: string
  readonly bytesVerified: boolean
  /** Where the downtime went; the parts sum to downtimeMs. */
  readonly downtimeParts: {
    readonly finalCopyMs: number; readonly deviceStateMs: number; readonly commitMs: number; readonly announceMs: number; readonly resumeMs: number
  }
  /** QEMU: expected_downtime at the switchover, beside the measured downtime; null for other strategies. */
  readonly expectedDowntimeMs: number | null
  /** QEMU: the downtime on the source's clock (stop → last byte written into the socket); null for other strategies. */
  readonly sourceDowntimeMs: number | null
  readonly throttlePctMax: number
  readonly postcopyFaults: number
  readonly postcopyBlockTimeMs: number
  /** Time in postcopy-paused (path broken after the switch); null when the run never reached post-copy. */
  readonly postcopyPausedMs: number | null
  /** Pages lost with a source that died during post-copy; 0 otherwise. */
  readonly lostPages: number
  readonly xbzrle: MigrationResult['xbzrle']
  readonly simulatedMs: number
}

export const DEFAULT_LAB: LabConfig = {
  seed: 1, memMiB: 512, pageKiB: 4, workload: { kind: 'idle' }, warmupS: 3, linkMbitPerS: 1000, latencyUs: 100,
  params: DEFAULT_PARAMS, faults: [], clients: 0, arp: 'gratuitous'
}

/** Everything a lab run builds; tests inspect it (memory, LAN, events). */
export interface LabWorld {
  readonly sim: Simulation<LabEvent>
  readonly memory: GuestMemory
  readonly lan: Lan
  readonly events: LabEvent[]
}

export type LabEvent = MigrationEvent | NetEvent

const VM_ID = 'vm-0001'
const SOURCE = 'host-a'
const DESTINATION = 'host-b'
/** After the migration, clients get this long to reach the VM again before their outage is read. */
const CLIENT_RECOVERY_MAX_US = 180_000_000

export function labLanSpec(config: LabConfig): LanSpec {
  const access = (a: string): LinkSpec => ({ id: `${a}~switch`, a, b: 'switch', capacityMbitPerS: config.linkMbitPerS, latencyUs: config.latencyUs, queueBytes: 256 * 1024 })
  const clients = Array.from({ length: config.clients }, (_, i) => ({ id: `client-${String(i + 1).padStart(2, '0')}` }))
  return {
    switches: [{ id: 'switch' }],
    hosts: [{ id: SOURCE }, { id: DESTINATION }],
    vms: [{ id: VM_ID, hostId: SOURCE }],
    clients,
    links: [access(SOURCE), access(DESTINATION), ...clients.map((client) => access(client.id))],
    vmMacPolicy: config.macPolicy ?? 'moves-with-vm'
  }
}

export function runMigrationLab(config: LabConfig, observe?: (world: LabWorld) => void): LabResult {
  const sim = new Simulation<LabEvent>(config.seed)
  const memBytes = config.memMiB * MIB
  const memory = new GuestMemory({
    memBytes, pageBytes: config.pageKiB * 1024, filledBytes: filledBytesFor(config.workload, memBytes),
    realBytes: memBytes <= REAL_BYTES_UP_TO
  })
  // Workload batches as long as a migration step: the driver flushes partial batches before every harvest.
  const driver = attachWorkload(sim, memory, createWorkload(config.workload, sim.rng(`workload/${VM_ID}`)), { tickUs: config.params.stepUs })
  const lan = new Lan(sim, labLanSpec(config))
  const clients = lan.endpointIds('client').map((id) => lan.addRequestClient({ id: `${id}/web`, from: id, to: VM_ID, thinkUs: 10_000, thinkJitterUs: 5_000 }))
  const workloadVm = new WorkloadVm(VM_ID, memory, driver)
  // maxRunningCopies comes from this observer of the hosts, not from the migration's own counter.
  const copies = new RunningCopiesObserver(SOURCE)
  let activatedOnDestination = false
  const vm: MigratableVm = {
    id: VM_ID, memory,
    suspend: () => { workloadVm.suspend(); lan.setVmRunning(VM_ID, false); copies.stopped(SOURCE) },
    resume: () => {
      lan.setVmRunning(VM_ID, true)
      workloadVm.resume()
      copies.started(activatedOnDestination ? DESTINATION : SOURCE)
    },
    setCpuShare: (share) => workloadVm.setCpuShare(share),
    // A guest blocked on a missing page answers no client (on a path fault they cannot reach it anyway).
    setBlocked: (blocked) => lan.setVmRunning(VM_ID, !blocked),
    cpuDemand: () => workloadVm.cpuDemand(),
    flushWrites: () => workloadVm.flushWrites()
  }
  const events: LabEvent[] = []
  sim.subscribe((event) => events.push(event))
  observe?.({ sim, memory, lan, events })
  sim.runUntil(sToUs(config.warmupS))

  let result: MigrationResult | undefined
  const channel = new LanChannel(lan, () => sim.nowUs, SOURCE, DESTINATION, 'migration/mig-0001', config.linkMbitPerS * 1e6, 4 * config.latencyUs)
  const hostsUp = { source: true, destination: true }
  const migration = new Migration({
    migrationId: 'mig-0001', sim, vm, channel, params: config.params, faults: config.faults,
    applyFault: (kind, durationUs) => {
      applyLabFault(kind, durationUs, sim, lan, hostsUp, driver)
      if (kind === 'source-crash') copies.stopped(SOURCE)
      if (kind === 'dest-crash') copies.stopped(DESTINATION)
    },
    hosts: {
      source: SOURCE, destination: DESTINATION,
      reserve: () => (hostsUp.destination ? null : 'destination is down'),
      release: () => {},
      activate: () => {
        activatedOnDestination = true
        lan.activateVm(VM_ID, DESTINATION, { mode: config.arp })
      },
      releaseSource: () => {}
    },
    onFinished: (finished) => { result = finished }
  })
  const startUs = sim.nowUs
  migration.start()
  // A post-copy still paused at the cancel horizon stays paused for good here: the run ends, outcome paused.
  sim.schedule(config.params.cancelAfterUs, () => {
    if (!migration.isFinished && migration.postcopyInterrupted) {
      migration.endPaused(`post-copy still paused after ${usToMs(config.params.cancelAfterUs) / 1000} s: the path did not return (pages remain on the source)`)
    }
  })
  const horizonUs = sim.nowUs + config.params.cancelAfterUs + 60_000_000
  while (result === undefined && sim.nowUs < horizonUs) sim.runUntil(Math.min(horizonUs, sim.nowUs + 1_000_000))
  if (result === undefined) giveUp(migration, horizonUs - startUs)
  if (result === undefined) throw new Error('migration did not finish after being given up')
  const clientOutageMs = clients.length === 0 ? null : waitForClients(sim, clients, startUs, result)
  driver.stop()
  for (const client of clients) client.stop()
  return toLabResult(config, memory, { ...result, maxRunningCopies: copies.maxRunning }, clientOutageMs, sim.traceHash(), sim.nowUs)
}

/**
 * A migration still running at the horizon (a post-copy pull cannot be cancelled once committed) is given up,
 * and that is its outcome: before the commit the source keeps the VM (aborted); after it, pages are split
 * between the hosts and neither holds the whole image (failed). Either way the reason says it timed out.
 */
function giveUp(migration: Migration, waitedUs: number): void {
  const reason = `timed out: still running ${usToMs(waitedUs) / 1000} s after the start (cancel horizon)`
  if (migration.postcopyInterrupted) migration.endPaused(`${reason}, post-copy paused`)
  else if (migration.committed) migration.fail(`${reason}, pages still on the source`)
  else migration.abort(reason)
}

/** Runs until every client has had a reply after the VM settled (or the recovery limit), then reads the outage. */
function waitForClients(sim: Simulation<LabEvent>, clients: readonly RequestClient[], startUs: number, result: MigrationResult): number {
  const settledUs = sim.nowUs
  const limitUs = settledUs + CLIENT_RECOVERY_MAX_US
  const recovered = (): boolean => clients.every((client) => client.stats.lastReplyAtUs > settledUs)
  // A paused post-copy's VM sits on the destination but serves nobody until its path returns.
  const serving = result.runningOn !== null && result.outcome !== 'paused'
  if (serving) {
    while (!recovered() && sim.nowUs < limitUs) sim.runUntil(Math.min(limitUs, sim.nowUs + 50_000))
    sim.runUntil(sim.nowUs + 50_000)
  }
  return usToMs(longestOutageUs(clients, startUs, sim.nowUs))
}

/** A path fault with a duration heals by itself (`KIND@WHEN+FORs`); crashes have no duration (parseFaultText). */
function applyLabFault(
  kind: MigrationFaultKind, durationUs: SimTimeUs | undefined, sim: Simulation<LabEvent>, lan: Lan, hostsUp: { source: boolean; destination: boolean },
  driver: WorkloadDriver
): void {
  if (kind === 'link-down') {
    lan.setLinkUp(`${DESTINATION}~switch`, false)
    if (durationUs !== undefined) sim.schedule(durationUs, () => lan.setLinkUp(`${DESTINATION}~switch`, true))
  }
  if (kind === 'partition') {
    lan.partition([DESTINATION])
    if (durationUs !== undefined) sim.schedule(durationUs, () => lan.healPartitions())
  }
  if (kind === 'dest-crash') {
    hostsUp.destination = false
    lan.setLinkUp(`${DESTINATION}~switch`, false)
  }
  if (kind === 'source-crash') {
    hostsUp.source = false
    driver.stop()
    lan.setVmRunning(VM_ID, false)
    lan.setLinkUp(`${SOURCE}~switch`, false)
  }
}

export function toLabResult(config: LabConfig, memory: GuestMemory, result: MigrationResult, clientOutageMs: number | null, traceHash: string, endUs: number): LabResult {
  return {
    strategy: result.strategy, seed: config.seed, outcome: result.outcome, memBytes: memory.memBytes, pageBytes: memory.pageBytes,
    totalTimeMs: usToMs(result.totalTimeUs), downtimeMs: usToMs(result.downtimeUs), clientOutageMs,
    bytesSent: result.bytesSent, pagesSent: result.pagesSent, zeroPagesSent: result.zeroPagesSent,
    rounds: result.rounds.map((round) => roundMs(round, result.startUs)),
    lostWrites: result.lostWrites, maxRunningCopies: result.maxRunningCopies, runningOn: result.runningOn,
    abortReason: result.timedOut ? 'cancelled' : result.abortReason, abortDetail: result.abortReason, traceHash, bytesVerified: result.bytesVerified,
    downtimeParts: {
      finalCopyMs: usToMs(result.downtimeParts.finalCopyUs), deviceStateMs: usToMs(result.downtimeParts.deviceStateUs),
      commitMs: usToMs(result.downtimeParts.commitUs), announceMs: usToMs(result.downtimeParts.announceUs), resumeMs: usToMs(result.downtimeParts.resumeUs)
    },
    expectedDowntimeMs: result.expectedDowntimeMs === null ? null : Math.round(result.expectedDowntimeMs * 1000) / 1000,
    sourceDowntimeMs: result.sourceDowntimeUs === null ? null : usToMs(result.sourceDowntimeUs),
    throttlePctMax: result.throttlePctMax, postcopyFaults: result.postcopyFaults,
    postcopyBlockTimeMs: usToMs(result.postcopyBlockTimeUs),
    postcopyPausedMs: result.postcopyPausedUs === null ? null : usToMs(result.postcopyPausedUs), lostPages: result.lostPages, xbzrle: result.xbzrle, simulatedMs: usToMs(endUs)
  }
}

