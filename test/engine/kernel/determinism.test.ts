// Goal: a run is a pure function of its seed: equal seeds give equal trace hashes, different seeds differ.
// Method: a small model (two VMs with random workloads, a WWS probe and a throttle) whose ticks emit events.
import { describe, expect, it } from 'vitest'
import { Simulation } from '../../../engine/kernel'
import { GuestMemory, MIB, startWwsProbe } from '../../../engine/memory'
import { attachWorkload, createWorkload, type WorkloadSpec } from '../../../engine/workload'

type ModelEvent =
  | { kind: 'workload.ticked'; vm: string; guestPageWrites: number; devicePageWrites: number }
  | { kind: 'memory.wwsSampled'; vm: string; wwsPages: number }

function runModel(seed: number): string {
  const sim = new Simulation<ModelEvent>(seed)
  const specs: [string, WorkloadSpec][] = [
    ['vm-0001', { kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 3000, pattern: 'zipf', zipfS: 1.1 }],
    ['vm-0002', { kind: 'web', requestsPerS: 800, heapMiB: 8, netBufferMiB: 2 }]
  ]
  for (const [vm, spec] of specs) {
    const memory = new GuestMemory({ memBytes: 32 * MIB })
    const driver = attachWorkload(sim, memory, createWorkload(spec, sim.rng(`workload/${vm}`)), {
      onTick: (tick) => sim.emit({ kind: 'workload.ticked', vm, guestPageWrites: tick.guestPageWrites, devicePageWrites: tick.devicePageWrites })
    })
    startWwsProbe(sim, memory, { windowUs: 1_000_000, onSample: (sample) => sim.emit({ kind: 'memory.wwsSampled', vm, wwsPages: sample.wwsPages }) })
    sim.scheduleAt(700_000, () => driver.setCpuShare(0.3))
  }
  sim.runUntil(2_000_000)
  return sim.traceHash()
}

describe('determinism', () => {
  it('gives the same trace hash for the same seed twice', () => {
    expect(runModel(42)).toBe(runModel(42))
  })

  it('gives different trace hashes for different seeds', () => {
    const hashes = new Set([1, 2, 3].map(runModel))
    expect(hashes.size).toBe(3)
  })
})
