// "New scenario": a fresh cluster from three numbers (racks, hosts per rack, VMs per host), written in the
// scenario file format so it can be saved, edited and reopened like any preset.
export interface NewScenarioRequest {
  readonly racks: number
  readonly hostsPerRack: number
  readonly vmsPerHost: number
}

export function newScenario({ racks, hostsPerRack, vmsPerHost }: NewScenarioRequest): Record<string, unknown> {
  const hostCount = racks * hostsPerRack
  return {
    name: `new-${racks}x${hostsPerRack}`,
    description: `${hostCount} hosts in ${racks} rack(s), ${hostCount * vmsPerHost} VMs (a new scenario)`,
    durationH: 24,
    sampleIntervalS: 300,
    initialPlacement: 'spread',
    hosts: Array.from({ length: racks }, (_, i) => ({
      name: `rack-${i + 1}`, count: hostsPerRack, cores: 16, mipsPerCore: 2500, memGiB: 128, nicMbitPerS: 10000,
      power: { kind: 'preset', name: 'ibm-x3550-xeon-x5670' }, bootS: 120, rack: `rack-${i + 1}`
    })),
    vms: hostCount * vmsPerHost === 0 ? [] : [{
      name: 'vm', count: hostCount * vmsPerHost, vcpus: 2, mipsPerVcpu: 2500, memMiB: 4096,
      cpu: { kind: 'diurnal', meanUtil: 0.3, amplitude: 0.2, peakHour: 14, noise: 0.05 },
      dirtyMiBPerS: 20, wwsMiB: 32, netMbitPerS: 50, haPriority: 'medium'
    }],
    rules: [],
    policy: { name: 'thr-mmt', intervalS: 300, params: {} },
    limits: { migrationsPerHost: 2, migrationsPerCluster: 8, movesPerCycleMax: 20, cooldownMin: 30, pingPongWindowH: 2 }
  }
}
