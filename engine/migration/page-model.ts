// The page-level migration model for the datacenter: behind the cluster's MigrationModel seam, each migration
// is a real engine/migration run over a synthetic guest whose hot set is the VM's writable working set,
// rewritten cyclically at its dirty rate (so distinct pages dirtied in T are min(D·T, W), the model's premise).
// It sends at the bottleneck share with Xen's stop rules (fixed rate: R_min = R_max, no increment), over the
// emulated LAN when one is given, else over a channel whose capacity is the rate the datacenter's network gives
// it (re-set whenever the network re-shares a link). Estimates are delegated to the analytic model.
import { deriveStream } from '../kernel/rng'
import type { SimTimeUs } from '../kernel/time'
import type {
  MigratingVm, MigrationEndpoint, MigrationEstimate, MigrationModel, MigrationRun, MigrationStart
} from '../cluster/migration-model'
import { GuestMemory } from '../memory/guest-memory'
import { MIB, MEM_BYTES_MIN, PAGE_BYTES_DEFAULT } from '../memory/geometry'
import type { Lan } from '../net/lan'
import { attachWorkload } from '../workload/driver'
import { createWorkload } from '../workload/factory'
import { FixedRateChannel, type BulkChannel } from './channel'
import { LanChannel } from './lan-channel'
import { Migration } from './migration'
import { DEFAULT_PARAMS, type MigrationEvent, type MigrationParams, type MigrationResult, type StrategyName } from './types'
import { WorkloadVm } from './workload-vm'
import type { MigratableVm } from './vm-handle'

export interface PageModelOptions {
  readonly seed: number
  /** Estimates (policies' cost/benefit gates) come from here. */
  readonly estimator: MigrationModel
  readonly resumeOverheadUs?: SimTimeUs
  /** When given, migrations cross this LAN between the hosts' endpoints and activate the VM there. */
  readonly lan?: () => Lan | undefined
  /** Where the migrations' own events go (round by round); default: dropped. */
  readonly emit?: (event: MigrationEvent) => void
  /** Called with every live migration when it starts, so views can follow it. */
  readonly onStarted?: (migration: Migration, request: MigrationStart) => void
  readonly onFinished?: (result: MigrationResult, request: MigrationStart) => void
}

export interface StrategyOverride {
  readonly strategy: StrategyName
  readonly params?: Partial<MigrationParams>
}

export class PageMigrationModel implements MigrationModel {
  readonly name = 'page'
  private readonly overrides = new Map<string, StrategyOverride>()
  private readonly live = new Map<string, Migration>()

  constructor(private readonly options: PageModelOptions) {}

  estimate(vm: MigratingVm, source: MigrationEndpoint, target: MigrationEndpoint, linkMbitPerS: number, concurrent: number): MigrationEstimate {
    return this.options.estimator.estimate(vm, source, target, linkMbitPerS, concurrent)
  }

  /** The next migration of `vmId` uses this strategy (a user's choice in the UI). */
  overrideNext(vmId: string, override: StrategyOverride): void {
    this.overrides.set(vmId, override)
  }

  liveMigration(migrationId: string): Migration | undefined {
    return this.live.get(migrationId)
  }

  liveMigrations(): Migration[] {
    return [...this.live.values()]
  }

  start(request: MigrationStart): MigrationRun {
    const override = this.overrides.get(request.vm.vmId)
    this.overrides.delete(request.vm.vmId)
    const memory = syntheticMemory(request.vm)
    const workload = createWorkload({
      kind: 'hotset', pattern: 'rand', hotMiB: Math.max(Math.min(request.vm.wwsBytes, memory.memBytes) / MIB, PAGE_BYTES_DEFAULT / MIB),
      dirtyPagesPerS: request.vm.dirtyBytesPerS / PAGE_BYTES_DEFAULT
    }, deriveStream(this.options.seed, `migration/${request.migrationId}`))
    const driver = attachWorkload(request.clock, memory, workload)
    const workloadVm = new WorkloadVm(request.vm.vmId, memory, driver)
    // On the LAN a suspended VM stops answering its clients, so their outage is what the cutover costs them.
    const onLan = (running: boolean): void => {
      const lan = this.options.lan?.()
      if (lan !== undefined && lan.endpointIds('vm').includes(request.vm.vmId)) lan.setVmRunning(request.vm.vmId, running)
    }
    const vm: MigratableVm = {
      id: request.vm.vmId, memory,
      suspend: () => { workloadVm.suspend(); onLan(false) },
      resume: () => { onLan(true); workloadVm.resume() },
      setCpuShare: (share) => workloadVm.setCpuShare(share),
      // Post-copy with its path broken: a guest blocked on a missing page answers none of its clients.
      setBlocked: (blocked) => onLan(!blocked),
      cpuDemand: () => workloadVm.cpuDemand(),
      flushWrites: () => workloadVm.flushWrites()
    }
    const emit = this.options.emit ?? (() => {})
    const channel = this.channel(request)
    const migration = new Migration({
      migrationId: request.migrationId, vm, channel, params: this.params(request, override),
      sim: { get nowUs() { return request.clock.nowUs }, schedule: (d, a, p) => request.clock.schedule(d, a, p), cancel: (t) => request.clock.cancel(t), emit },
      hosts: {
        source: request.source.hostId, destination: request.target.hostId, reserve: () => null, release: () => {},
        activate: () => this.activateOnLan(request), releaseSource: () => {}
      },
      onFinished: (result) => {
        driver.stop()
        this.live.delete(request.migrationId)
        this.options.onFinished?.(result, request)
        request.onEnd({
          outcome: result.outcome, totalUs: result.totalTimeUs, downtimeUs: result.downtimeUs, bytes: result.bytesSent,
          rounds: result.rounds.length, lostWrites: result.lostWrites, abortReason: result.abortReason
        })
      }
    })
    this.live.set(request.migrationId, migration)
    this.options.onStarted?.(migration, request)
    migration.start()
    return {
      abort: (reason, sourceSurvives) => (sourceSurvives ? migration.abort(reason) : migration.fail(reason)),
      // Over the emulated LAN the LAN shares its links itself; on a dedicated channel the datacenter's network does.
      rateChanged: (rateMbitPerS) => { if (channel instanceof FixedRateChannel) channel.setCapacity(rateMbitPerS * 1e6) }
    }
  }

  private params(request: MigrationStart, override: StrategyOverride | undefined): MigrationParams {
    const shareMbitPerS = request.linkMbitPerS / Math.max(1, request.concurrent)
    const fixedRate = { ...DEFAULT_PARAMS.clark, rateMinMbitPerS: shareMbitPerS, rateMaxMbitPerS: shareMbitPerS, rateIncrementMbitPerS: 0, maxRounds: 30 }
    const base: MigrationParams = {
      ...DEFAULT_PARAMS, strategy: 'precopy', clark: fixedRate, resumeOverheadUs: this.options.resumeOverheadUs ?? DEFAULT_PARAMS.resumeOverheadUs,
      qemu: { ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: shareMbitPerS }
    }
    if (override === undefined) return base
    return { ...base, ...override.params, strategy: override.strategy }
  }

  private channel(request: MigrationStart): BulkChannel {
    const lan = this.options.lan?.()
    const linkBitPerS = request.linkMbitPerS * 1e6
    if (lan !== undefined) {
      return new LanChannel(lan, () => request.clock.nowUs, request.source.hostId, request.target.hostId, `migration/${request.migrationId}`, linkBitPerS, 100)
    }
    return new FixedRateChannel(request.clock, (request.rateMbitPerS ?? request.linkMbitPerS / Math.max(1, request.concurrent)) * 1e6, 50)
  }

  private activateOnLan(request: MigrationStart): void {
    const lan = this.options.lan?.()
    if (lan === undefined || !lan.endpointIds('vm').includes(request.vm.vmId)) return
    lan.activateVm(request.vm.vmId, request.target.hostId, { mode: 'gratuitous' })
  }
}

/** A guest of the VM's size (at least 16 MiB, a whole number of pages). */
function syntheticMemory(vm: MigratingVm): GuestMemory {
  const pages = Math.max(MEM_BYTES_MIN, vm.memBytes) / PAGE_BYTES_DEFAULT
  return new GuestMemory({ memBytes: Math.ceil(pages) * PAGE_BYTES_DEFAULT })
}
