// A policy's scratchpad for one tick: tentative host loads and VM placements on top of the frozen view, so a
// policy can place several VMs in turn (PABFD, consolidation) and roll back a host it could not empty. It
// applies the same fit and rule checks the core applies, so proposals built through it are rarely rejected.
import { PowerBands } from './power-bands'
import { hardBreach, softBreaches, type Placement } from './rules'
import type { Alternative, Benefit, ClusterView, MigrateProposal, MoveCost, Proposal, VmView } from './types'

interface LoggedMove {
  readonly vmIndex: number
  readonly fromHost: number
  readonly toHost: number
}

export interface MoveOptions {
  readonly reason: string
  readonly priority: number
  readonly benefit: Benefit
  readonly cost?: MoveCost | null
  readonly alternatives?: readonly Alternative[]
  readonly recommendOnly?: boolean
}

/** A VM a policy may propose to move now: running, not moving, automation not disabled, out of cooldown, not pinned. */
export function isMovable(view: ClusterView, vm: VmView): boolean {
  return vm.status === 'running' && !vm.moving && vm.automation !== 'disabled' && !vm.pinnedByAffinity &&
    view.nowUs >= vm.cooldownUntilUs
}

export class Plan {
  readonly cpuMips: Float64Array
  readonly memMiB: Float64Array
  private readonly futureHost: Int32Array
  /** Power of each host at its planned load, NaN until asked (PABFD asks for it once per host and VM). */
  private readonly powerNow: Float64Array
  private readonly log: LoggedMove[] = []
  private readonly proposals: Proposal[] = []
  private readonly placement: Placement
  /** Hosts whose planned load a move has changed (rolled-back moves included), in order of first change. */
  readonly touched: number[] = []
  private readonly touchedFlag: Uint8Array
  /** Built on PABFD's first request and kept in step with every move; null when the view's power is not tabular. */
  private bands: PowerBands | null | undefined

  constructor(readonly view: ClusterView) {
    // Plain loops: TypedArray.from with a mapping function is several times slower, and this runs every tick.
    const { hosts, vms } = view
    this.cpuMips = new Float64Array(hosts.length)
    this.memMiB = new Float64Array(hosts.length)
    for (let h = 0; h < hosts.length; h++) {
      this.cpuMips[h] = hosts[h].cpuDemandMips + hosts[h].cpuReservedMips
      this.memMiB[h] = hosts[h].memUsedMiB
    }
    this.futureHost = new Int32Array(vms.length)
    for (let v = 0; v < vms.length; v++) this.futureHost[v] = vms[v].movingToHostIndex >= 0 ? vms[v].movingToHostIndex : vms[v].hostIndex
    this.powerNow = new Float64Array(view.hosts.length).fill(Number.NaN)
    this.touchedFlag = new Uint8Array(hosts.length)
    this.placement = {
      occupies: (vmIndex, hostIndex) => this.futureHost[vmIndex] === hostIndex || this.view.vms[vmIndex].hostIndex === hostIndex,
      futureHost: (vmIndex) => this.futureHost[vmIndex]
    }
  }

  util(hostIndex: number): number {
    return this.cpuMips[hostIndex] / this.view.hosts[hostIndex].cpuCapacityMips
  }

  /** Host power (W) at its planned utilisation. */
  powerW(hostIndex: number): number {
    let watts = this.powerNow[hostIndex]
    if (Number.isNaN(watts)) {
      watts = this.view.powerW(hostIndex, this.util(hostIndex))
      this.powerNow[hostIndex] = watts
    }
    return watts
  }

  /** The hosts indexed by power class and planned utilisation (see power-bands.ts), or null if not indexable. */
  powerBands(): PowerBands | null {
    if (this.bands === undefined) this.bands = PowerBands.build(this.view, (hostIndex) => this.util(hostIndex), (hostIndex) => this.memMiB[hostIndex])
    return this.bands
  }

  /** Whether any rule mentions the VM (no rule: no rule checks needed). */
  hasRules(vmIndex: number): boolean {
    return this.view.rulesOfVm(vmIndex).length > 0
  }

  hostOf(vmIndex: number): number {
    return this.futureHost[vmIndex]
  }

  /** Why the VM cannot go to the host in this plan (memory, CPU above `cpuLimit`, hard rules), or null. */
  fitProblem(vmIndex: number, hostIndex: number, cpuLimit: number, allowOff = false): string | null {
    const host = this.view.hosts[hostIndex]
    const vm = this.view.vms[vmIndex]
    if (!host.acceptsVms && !(allowOff && host.state === 'off')) return `host is ${host.drain !== 'none' ? `draining (${host.drain})` : host.state}`
    if (this.futureHost[vmIndex] === hostIndex) return 'VM is already there'
    if (this.memMiB[hostIndex] + vm.memMiB > host.memMiB + 1e-6) return 'insufficient memory'
    if ((this.cpuMips[hostIndex] + vm.cpuDemandMips) / host.cpuCapacityMips > cpuLimit + 1e-9) return 'CPU above limit'
    return hardBreach(this.view.rules, this.view.rulesOfVm(vmIndex), vmIndex, hostIndex, this.placement)
  }

  softPenalty(vmIndex: number, hostIndex: number): number {
    return softBreaches(this.view.rules, this.view.rulesOfVm(vmIndex), vmIndex, hostIndex, this.placement)
  }

  /** Applies a move to the plan (the source keeps the VM's memory until the real migration ends). */
  move(vmIndex: number, toHost: number): void {
    const vm = this.view.vms[vmIndex]
    const fromHost = this.futureHost[vmIndex]
    if (fromHost >= 0) { this.cpuMips[fromHost] -= vm.cpuDemandMips; this.powerNow[fromHost] = Number.NaN }
    this.cpuMips[toHost] += vm.cpuDemandMips
    this.powerNow[toHost] = Number.NaN
    this.memMiB[toHost] += vm.memMiB
    this.futureHost[vmIndex] = toHost
    if (fromHost >= 0) this.touch(fromHost)
    this.touch(toHost)
    this.log.push({ vmIndex, fromHost, toHost })
    this.refile(fromHost, toHost)
  }

  /** Moves the VM in the plan and records a proposal for it. */
  propose(vmIndex: number, toHost: number, options: MoveOptions): void {
    const powerOnTarget = this.view.hosts[toHost].state === 'off'
    this.move(vmIndex, toHost)
    const proposal: MigrateProposal = {
      kind: 'migrate', vmIndex, targetHostIndex: toHost, reason: options.reason, priority: options.priority,
      benefit: options.benefit, cost: options.cost ?? null, powerOnTarget, recommendOnly: options.recommendOnly ?? false,
      alternatives: options.alternatives ?? []
    }
    this.proposals.push(proposal)
  }

  addPower(proposal: Proposal): void {
    this.proposals.push(proposal)
  }

  /** A point to roll back to. */
  mark(): { readonly moves: number; readonly proposals: number } {
    return { moves: this.log.length, proposals: this.proposals.length }
  }

  rollback(to: { readonly moves: number; readonly proposals: number }): void {
    while (this.log.length > to.moves) {
      const { vmIndex, fromHost, toHost } = this.log.pop() as LoggedMove
      const vm = this.view.vms[vmIndex]
      this.cpuMips[toHost] -= vm.cpuDemandMips
      this.memMiB[toHost] -= vm.memMiB
      if (fromHost >= 0) { this.cpuMips[fromHost] += vm.cpuDemandMips; this.powerNow[fromHost] = Number.NaN }
      this.powerNow[toHost] = Number.NaN
      this.futureHost[vmIndex] = fromHost
      this.refile(fromHost, toHost)
    }
    this.proposals.length = to.proposals
  }

  private touch(hostIndex: number): void {
    if (this.touchedFlag[hostIndex] === 1) return
    this.touchedFlag[hostIndex] = 1
    this.touched.push(hostIndex)
  }

  private refile(fromHost: number, toHost: number): void {
    if (!this.bands) return
    if (fromHost >= 0) this.bands.update(fromHost)
    this.bands.update(toHost)
  }

  result(): readonly Proposal[] {
    return [...this.proposals]
  }
}
