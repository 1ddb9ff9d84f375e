// PABFD placement (`npm run bench -- placement`), before and after in the same run: the VMs of the 150 busiest
// hosts of a dc-1000x20000-sized view (1,000 hosts, 20,000 VMs) placed one by one, largest first, through the
// power-band index and through the scan of every host it replaced; the two must make the same choices.
// CPU time of this process (user + system), not wall time: on a shared machine the wall mostly measures waiting.
import {
  deriveStream, linearPowerTable, Plan, pabfdHost, pabfdHostByScan, powerAtW, POWER_PRESETS_W, type ClusterView, type PabfdOptions
} from '../engine/index'
import { report } from './support'

/**
 * A dc-1000x20000-sized view: 600 IBM x3550 hosts (80,000 MIPS, 256 GiB) and 400 linear ones (134,400 MIPS,
 * 384 GiB), 20 VMs each of 2 vCPUs × 2,500 MIPS and 4–16 GiB; each host's load level is drawn so utilisations
 * spread over 5–95 % (like a diurnal day), and a static 0.85 overload threshold.
 */
function placementView(): ClusterView {
  const rng = deriveStream(1, 'bench/placement')
  const ibm = POWER_PRESETS_W['ibm-x3550-xeon-x5670']
  const linear = linearPowerTable(150, 450)
  const tables: (readonly number[])[] = []
  const vms: ClusterView['vms'][number][] = []
  const hosts: ClusterView['hosts'][number][] = Array.from({ length: 1000 }, (_, h) => {
    const small = h < 600
    const capacity = small ? 80_000 : 134_400
    tables.push(small ? ibm : linear)
    const vmIndices: number[] = []
    const level = 0.05 + 0.9 * rng.float()
    let demand = 0
    let memUsedMiB = 0
    for (let k = 0; k < 20; k++) {
      const index = vms.length
      const cpuDemandMips = (capacity / 20) * level * (0.5 + rng.float())
      const memMiB = 4096 * (1 + rng.intBelow(4))
      demand += cpuDemandMips
      memUsedMiB += memMiB
      vmIndices.push(index)
      vms.push({ index, id: `vm-${index}`, group: 'web', hostIndex: h, status: 'running', moving: false, movingToHostIndex: -1, vcpus: 2,
        cpuCapacityMips: 5000, cpuDemandMips, cpuUtil: cpuDemandMips / 5000, memMiB, dirtyMiBPerS: 30, wwsMiB: 256, netMbitPerS: 0,
        automation: 'default', downtimeBudgetUs: 1_000_000, cooldownUntilUs: 0, pinnedByAffinity: false })
    }
    return { index: h, id: `host-${h}`, group: small ? 'a' : 'b', rack: 'r', state: 'on', drain: 'none', acceptsVms: true, cpuCapacityMips: capacity,
      cpuDemandMips: demand, cpuReservedMips: 0, cpuUtil: demand / capacity, memMiB: small ? 262_144 : 393_216, memUsedMiB,
      netMbitPerS: 10_000, netDemandMbitPerS: 0, migrationMbitPerS: 5000, migrationsActive: 0, vmIndices }
  })
  return {
    nowUs: 0, tick: 1, intervalUs: 300_000_000, hosts, vms, rules: [],
    limits: { migrationsPerHost: 2, migrationsPerCluster: 64, movesPerCycleMax: 2000, cooldownUs: 0 }, migrationsActive: 0,
    rulesOfVm: () => [], hostUtilHistory: (h) => [hosts[h].cpuUtil], vmUtilHistory: (v) => [vms[v].cpuUtil],
    powerW: (h, util) => powerAtW(tables[h], util), powerTableW: (h) => tables[h],
    estimateMove: () => ({ totalUs: 1, downtimeUs: 1, bytes: 1, rounds: 1, converges: true })
  }
}

function cpuMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** Places every VM of the 150 busiest hosts (largest first) through `place`; CPU ms and the choices. */
function placeBusiest(view: ClusterView, place: typeof pabfdHost): { ms: number; choices: number[] } {
  const busiest = [...view.hosts].sort((a, b) => b.cpuUtil - a.cpuUtil || a.index - b.index).slice(0, 150)
  const moving = busiest.flatMap((host) => host.vmIndices).sort((a, b) => view.vms[b].cpuDemandMips - view.vms[a].cpuDemandMips || a - b)
  const verdicts = view.hosts.map((host) => ({ method: 'thr', threshold: 0.85, metric: host.cpuUtil, inclusive: false, shiftFactor: 1 }))
  const options: PabfdOptions = { verdicts, candidates: view.hosts.map((host) => host.index).filter((h) => !busiest.some((b) => b.index === h)), excluded: new Set(), allowOff: false }
  const plan = new Plan(view)
  const choices: number[] = []
  const start = cpuMs()
  for (const vmIndex of moving) {
    const choice = place(plan, vmIndex, options)
    choices.push(choice?.hostIndex ?? -1)
    if (choice !== null) plan.propose(vmIndex, choice.hostIndex, { reason: 'bench', priority: 1, benefit: { metric: 'w', before: 0, after: 0 } })
  }
  return { ms: cpuMs() - start, choices }
}

export function run(): void {
  const view = placementView()
  placeBusiest(view, pabfdHost) // warm-up of both paths
  placeBusiest(view, pabfdHostByScan)
  let indexed = placeBusiest(view, pabfdHost)
  let scanned = placeBusiest(view, pabfdHostByScan)
  for (let i = 0; i < 2; i++) {
    const a = placeBusiest(view, pabfdHost)
    const b = placeBusiest(view, pabfdHostByScan)
    if (a.ms < indexed.ms) indexed = a
    if (b.ms < scanned.ms) scanned = b
  }
  const same = indexed.choices.every((host, i) => host === scanned.choices[i])
  if (!same) throw new Error('PABFD: the power-band index chose differently from the scan')
  report(`PABFD, ${indexed.choices.length} VMs onto 850 hosts: power-band index`, `${indexed.ms.toFixed(1)} ms CPU (best of 3; same ${indexed.choices.length} choices as the scan)`)
  report('  the scan of every host (before)', `${scanned.ms.toFixed(1)} ms CPU; the index is ${(scanned.ms / indexed.ms).toFixed(1)}× faster`)
}
