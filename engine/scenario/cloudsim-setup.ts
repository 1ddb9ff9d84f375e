// The set-up of CloudSim 3.0.3's PlanetLab examples (PlanetLabConstants, Constants; data/planetlab/README):
// 800 hosts alternating HP ProLiant ML110 G4 / G5 by id (host i is type i mod 2), the four EC2-named VM types
// assigned by position in the name-sorted trace list (`i / ceil(n / 4)`), one VM per trace, 300 s, 24 h.
// Used by the shipped planetlab-YYYYMMDD presets and by `cutover import`.
import type { ScenarioInput } from './schema'

export const CLOUDSIM_HOSTS = 800

/** CloudSim's VM types (MIPS, RAM in MB as the code has them). */
export const CLOUDSIM_VM_TYPES = Object.freeze([
  { name: 'high-cpu-medium', mipsPerVcpu: 2500, memMiB: 870 },
  { name: 'extra-large', mipsPerVcpu: 2000, memMiB: 1740 },
  { name: 'small', mipsPerVcpu: 1000, memMiB: 1740 },
  { name: 'micro', mipsPerVcpu: 500, memMiB: 613 }
])

const HOST_TYPES = Object.freeze([
  { name: 'ml110-g4', cores: 2, mipsPerCore: 1860, power: 'hp-proliant-ml110-g4' },
  { name: 'ml110-g5', cores: 2, mipsPerCore: 2660, power: 'hp-proliant-ml110-g5' }
] as const)

export interface CloudsimSetupOptions {
  readonly name: string
  readonly description: string
  /** Number of traces (VMs), in name order. */
  readonly traceCount: number
  /** Where the traces come from: a pack file (relative to the scenario) or the pack text itself. */
  readonly traces: { readonly file: string } | { readonly pack: string }
  readonly sampleIntervalS?: number
  readonly durationH?: number
  readonly hostCount?: number
}

/** VMs per type: `ceil(n / 4)` for the first types, the rest for the last (CloudSim's integer division). */
export function cloudsimTypeCounts(traceCount: number): number[] {
  const perType = Math.ceil(traceCount / 4)
  return CLOUDSIM_VM_TYPES.map((_, t) => Math.max(0, Math.min(perType, traceCount - t * perType)))
}

export function cloudsimPlanetlabScenario(options: CloudsimSetupOptions): ScenarioInput {
  const hostCount = options.hostCount ?? CLOUDSIM_HOSTS
  // One group per host so that ids alternate G4/G5 exactly as CloudSim's host ids do (PABFD breaks ties by id).
  const hosts = Array.from({ length: hostCount }, (_, i) => {
    const type = HOST_TYPES[i % 2]
    return {
      name: type.name, count: 1, cores: type.cores, mipsPerCore: type.mipsPerCore, memGiB: 4, nicMbitPerS: 1000,
      power: { kind: 'preset' as const, name: type.power }, bootS: 60
    }
  })
  const counts = cloudsimTypeCounts(options.traceCount)
  let first = 0
  const vms = []
  for (let t = 0; t < CLOUDSIM_VM_TYPES.length; t++) {
    if (counts[t] === 0) continue
    const type = CLOUDSIM_VM_TYPES[t]
    vms.push({
      name: type.name, count: counts[t], vcpus: 1, mipsPerVcpu: type.mipsPerVcpu, memMiB: type.memMiB,
      cpu: { kind: 'replay' as const, first }, dirtyMiBPerS: 8, wwsMiB: Math.min(64, Math.round(type.memMiB / 16)), netMbitPerS: 20
    })
    first += counts[t]
  }
  return {
    name: options.name, description: options.description, durationH: options.durationH ?? 24,
    sampleIntervalS: options.sampleIntervalS ?? 300, initialPlacement: 'spread', traces: options.traces, hosts, vms,
    policy: { name: 'lr-mmt', intervalS: options.sampleIntervalS ?? 300, params: {} },
    limits: { migrationsPerHost: 2, migrationsPerCluster: 128, movesPerCycleMax: 400, cooldownMin: 30, pingPongWindowH: 2 }
  }
}

/** JSON text with each host and VM group on one line (800 hosts stay readable and small). */
export function formatScenarioJson(scenario: ScenarioInput): string {
  const { hosts, vms, ...rest } = scenario
  const body = JSON.stringify({ ...rest, hosts: '__HOSTS__', vms: '__VMS__' }, null, 2)
  const list = (items: readonly unknown[]) => `[\n${items.map((item) => `    ${JSON.stringify(item)}`).join(',\n')}\n  ]`
  return body.replace('"__HOSTS__"', list(hosts)).replace('"__VMS__"', list(vms)) + '\n'
}
