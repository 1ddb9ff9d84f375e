// The contention laboratory behind `cutover migrate --vms N`: N VMs with the same workload on host-a, two hosts on
// one switch, and one migration per VM to host-b, started together or staggered. Their batches are fluid flows of
// the emulated LAN, so they share host-a's and host-b's links max-min fairly (as migrations of a datacenter run
// share its network) and every VM's rounds, time and downtime show the contention. Pure and deterministic.
import { Simulation } from '../kernel/simulation'
import { sToUs, usToMs } from '../kernel/time'
import { GuestMemory } from '../memory/guest-memory'
import { MIB } from '../memory/geometry'
import { attachWorkload, type WorkloadDriver } from '../workload/driver'
import { createWorkload } from '../workload/factory'
import { filledBytesFor } from '../workload/spec'
import { Lan } from '../net/lan'
import type { LanSpec, LinkSpec } from '../net/spec'
import { LanChannel } from './lan-channel'
import { REAL_BYTES_UP_TO, toLabResult, type LabConfig, type LabEvent, type LabResult } from './lab'
import { Migration } from './migration'
import type { MigrationResult } from './types'
import type { MigratableVm } from './vm-handle'
import { WorkloadVm } from './workload-vm'

const SOURCE = 'host-a'
const DESTINATION = 'host-b'

export interface MultiLabConfig extends LabConfig {
  /** VMs migrated from host-a to host-b, 1 or more. */
  readonly vms: number
  /** Seconds between one migration's start and the next; 0 = all together. */
  readonly staggerS: number
}

export interface MultiLabVmResult extends LabResult {
  readonly vmId: string
  /** When this VM's migration started, ms after the first one. */
  readonly startedAtMs: number
}

export interface MultiLabResult {
  readonly strategy: string
  readonly seed: number
  readonly vms: number
  readonly staggerS: number
  readonly linkMbitPerS: number
  /** From the first migration's start to the last one's end. */
  readonly makespanMs: number
  readonly bytesSent: number
  readonly lostWrites: number
  readonly migrations: readonly MultiLabVmResult[]
  readonly traceHash: string
  readonly simulatedMs: number
}

export function vmIdOf(index: number): string {
  return `vm-${String(index + 1).padStart(4, '0')}`
}

export function multiLabLanSpec(config: MultiLabConfig): LanSpec {
  const access = (a: string): LinkSpec => ({ id: `${a}~switch`, a, b: 'switch', capacityMbitPerS: config.linkMbitPerS, latencyUs: config.latencyUs, queueBytes: 256 * 1024 })
  return {
    switches: [{ id: 'switch' }],
    hosts: [{ id: SOURCE }, { id: DESTINATION }],
    vms: Array.from({ length: config.vms }, (_, i) => ({ id: vmIdOf(i), hostId: SOURCE })),
    clients: [],
    links: [access(SOURCE), access(DESTINATION)],
    vmMacPolicy: config.macPolicy ?? 'moves-with-vm'
  }
}

interface Guest {
  readonly id: string
  readonly memory: GuestMemory
  readonly driver: WorkloadDriver
  readonly vm: MigratableVm
}

export function runMultiMigrationLab(config: MultiLabConfig, observe?: (sim: Simulation<LabEvent>) => void): MultiLabResult {
  if (!Number.isInteger(config.vms) || config.vms < 1) throw new RangeError(`vms must be a whole number ≥ 1, got ${config.vms}`)
  if (!(config.staggerS >= 0)) throw new RangeError(`staggerS must be ≥ 0, got ${config.staggerS}`)
  const sim = new Simulation<LabEvent>(config.seed)
  observe?.(sim)
  const lan = new Lan(sim, multiLabLanSpec(config))
  const memBytes = config.memMiB * MIB
  const guests: Guest[] = Array.from({ length: config.vms }, (_, i) => {
    const id = vmIdOf(i)
    const memory = new GuestMemory({
      memBytes, pageBytes: config.pageKiB * 1024, filledBytes: filledBytesFor(config.workload, memBytes), realBytes: memBytes <= REAL_BYTES_UP_TO
    })
    const driver = attachWorkload(sim, memory, createWorkload(config.workload, sim.rng(`workload/${id}`)), { tickUs: config.params.stepUs })
    const workloadVm = new WorkloadVm(id, memory, driver)
    const vm: MigratableVm = {
      id, memory,
      suspend: () => { workloadVm.suspend(); lan.setVmRunning(id, false) },
      resume: () => { lan.setVmRunning(id, true); workloadVm.resume() },
      setCpuShare: (share) => workloadVm.setCpuShare(share),
      cpuDemand: () => workloadVm.cpuDemand(),
      flushWrites: () => workloadVm.flushWrites()
    }
    return { id, memory, driver, vm }
  })
  sim.runUntil(sToUs(config.warmupS))

  const firstStartUs = sim.nowUs
  const results: (MigrationResult | undefined)[] = guests.map(() => undefined)
  const startedAtUs: number[] = guests.map(() => -1)
  guests.forEach((guest, i) => {
    sim.scheduleAt(firstStartUs + i * sToUs(config.staggerS), () => {
      const migrationId = `mig-${String(i + 1).padStart(4, '0')}`
      const channel = new LanChannel(lan, () => sim.nowUs, SOURCE, DESTINATION, `migration/${migrationId}`, config.linkMbitPerS * 1e6, 4 * config.latencyUs)
      startedAtUs[i] = sim.nowUs
      new Migration({
        migrationId, sim, vm: guest.vm, channel, params: config.params, faults: [],
        hosts: {
          source: SOURCE, destination: DESTINATION, reserve: () => null, release: () => {},
          activate: () => { lan.activateVm(guest.id, DESTINATION, { mode: config.arp }) }, releaseSource: () => {}
        },
        onFinished: (finished) => { results[i] = finished }
      }).start()
    })
  })
  const lastStartUs = firstStartUs + (config.vms - 1) * sToUs(config.staggerS)
  const horizonUs = lastStartUs + config.params.cancelAfterUs + 60_000_000
  while (results.some((r) => r === undefined) && sim.nowUs < horizonUs) sim.runUntil(Math.min(horizonUs, sim.nowUs + 1_000_000))
  if (results.some((r) => r === undefined)) throw new Error('a migration did not finish by its cancel horizon')
  for (const guest of guests) guest.driver.stop()
  const finished = results as MigrationResult[]
  const traceHash = sim.traceHash()
  const migrations = finished.map((result, i) => ({
    vmId: guests[i].id, startedAtMs: usToMs(startedAtUs[i] - firstStartUs),
    ...toLabResult(config, guests[i].memory, result, null, traceHash, sim.nowUs)
  }))
  return {
    strategy: config.params.strategy, seed: config.seed, vms: config.vms, staggerS: config.staggerS, linkMbitPerS: config.linkMbitPerS,
    makespanMs: usToMs(Math.max(...finished.map((r) => r.endUs)) - firstStartUs),
    bytesSent: finished.reduce((sum, r) => sum + r.bytesSent, 0), lostWrites: finished.reduce((sum, r) => sum + r.lostWrites, 0),
    migrations, traceHash, simulatedMs: usToMs(sim.nowUs)
  }
}
