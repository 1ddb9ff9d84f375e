// Goal: VM selection and PABFD behave as in the reference: MMT takes the VM with the least memory, MU the least
// CPU, RS a seeded random one, MC the VM best explained by its neighbours; PABFD picks the host whose power
// rises least, skips hosts that would become overloaded or lack memory, and boots an off host only as a last
// resort. Method: hand-built views with known power tables.
import { describe, expect, it } from 'vitest'
import { linearPowerTable } from '../../../engine/cluster/power'
import { detect } from '../../../engine/policy/detectors'
import { pabfdHost } from '../../../engine/policy/placement'
import { Plan } from '../../../engine/policy/plan'
import { selectMc, selectMmt, selectMu, selectRs } from '../../../engine/policy/selection'
import { deriveStream } from '../../../engine/kernel/rng'
import { handView } from './support'

describe('VM selection', () => {
  const view = handView({ hosts: [{ vms: [
    { demandMips: 3000, memMiB: 4096, history: [0.1, 0.5, 0.2, 0.8, 0.3, 0.9, 0.1, 0.6, 0.4, 0.7] },
    { demandMips: 1000, memMiB: 2048, history: [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5, 0.5] },
    { demandMips: 2000, memMiB: 2048, history: [0.2, 1.0, 0.4, 1.6, 0.6, 1.8, 0.2, 1.2, 0.8, 1.4] }
  ] }] })
  const host = view.hosts[0]
  const vms = host.vmIndices.map((i) => view.vms[i])

  it('MMT takes the least memory (ties by index), MU the least CPU', () => {
    expect(selectMmt(vms, host).index).toBe(1)
    expect(selectMu(vms).index).toBe(1)
  })

  it('RS draws from the policy stream: same seed, same choice', () => {
    const picks = (seed: number) => Array.from({ length: 5 }, ((rng) => () => selectRs(vms, rng).index)(deriveStream(seed, 'policy/rs')))
    expect(picks(1)).toEqual(picks(1))
    expect(new Set(picks(1).concat(picks(2), picks(3))).size).toBeGreaterThan(1)
  })

  it('MC takes the VM whose series the others explain best', () => {
    // vm 0 and vm 2 are perfectly correlated (vm 2 = 2 × vm 0); vm 1 is noise against them.
    const chosen = selectMc(vms, vms, view, host)
    expect([0, 2]).toContain(chosen.index)
  })
})

describe('PABFD', () => {
  const steep = linearPowerTable(100, 400)
  const flat = linearPowerTable(100, 150)
  const cluster = handView({ hosts: [
    { vms: [{ demandMips: 6000 }] },
    { power: steep, vms: [{ demandMips: 2000 }] },
    { power: flat, vms: [{ demandMips: 2000 }] },
    { power: flat, memMiB: 1500, vms: [{ demandMips: 1000, memMiB: 1024 }] },
    { power: flat, state: 'off' }
  ] })

  it('picks the host whose power rises least among those with room', () => {
    const plan = new Plan(cluster)
    const choice = pabfdHost(plan, 0, { verdicts: [], candidates: [1, 2, 3], excluded: new Set([0]), allowOff: false })
    expect(choice?.hostIndex).toBe(2)
    expect(choice?.powerIncreaseW).toBeCloseTo(50 * 0.6, 9)
    expect(choice?.alternatives).toEqual([{ hostId: 'host-0004', reason: 'insufficient memory' }])
  })

  it('skips a host the detector says would become overloaded', () => {
    const verdicts = cluster.hosts.map((host) => detect('thr', [host.cpuUtil], 0.7))
    const choice = pabfdHost(new Plan(cluster), 0, { verdicts, candidates: [1, 2], excluded: new Set(), allowOff: false })
    expect(choice).toBeNull()
  })

  it('counts an off host\'s whole idle power in its increase', () => {
    const plan = new Plan(cluster)
    const withOff = pabfdHost(plan, 0, { verdicts: [], candidates: [2, 4], excluded: new Set(), allowOff: true })
    expect(withOff?.hostIndex).toBe(2)
    const onlyOff = pabfdHost(plan, 0, { verdicts: [], candidates: [4], excluded: new Set(), allowOff: true })
    expect(onlyOff?.powerIncreaseW).toBeCloseTo(100 + 50 * 0.6, 9)
  })
})
