// Goal: each built-in policy proposes what its reference says on small hand-built clusters: Beloglazov relieves
// overloaded hosts and empties under-loaded ones; DRS uses the priority formula, its threshold and automation
// levels and its cost gate; Sandpiper ranks hotspots by volume and VMs by volume-to-size; consolidate packs only
// after a sustained low. Method: frozen hand-built views; proposals are inspected, nothing is executed.
import { describe, expect, it } from 'vitest'
import { createBeloglazovPolicy, DEFAULT_BELOGLAZOV } from '../../../engine/policy/beloglazov'
import { ConsolidatePolicy, DEFAULT_CONSOLIDATE, extrapolateOneStep } from '../../../engine/policy/consolidate'
import { createDrsPolicy, DEFAULT_DRS, drsPriority } from '../../../engine/policy/drs'
import { PingPongDetector } from '../../../engine/policy/oscillation'
import { createPolicyRegistry, PolicyParamError } from '../../../engine/policy/registry'
import { ar1Forecast, createSandpiperPolicy, DEFAULT_SANDPIPER, isHotspot, volume } from '../../../engine/policy/sandpiper'
import type { MigrateProposal, PolicyOutput } from '../../../engine/policy/types'
import { context, handView } from './support'

const moves = (output: PolicyOutput) => output.proposals.filter((p): p is MigrateProposal => p.kind === 'migrate')

describe('Beloglazov & Buyya (thr-mmt)', () => {
  const policy = createBeloglazovPolicy('thr-mmt', { ...DEFAULT_BELOGLAZOV, detector: 'thr', selection: 'mmt', safety: 0.8 })

  it('moves the smallest-memory VMs off an overloaded host until it is below the threshold', () => {
    const view = handView({ hosts: [
      { vms: [{ demandMips: 4000, memMiB: 4096 }, { demandMips: 3000, memMiB: 1024 }, { demandMips: 2000, memMiB: 2048 }] },
      { vms: [{ demandMips: 5000 }] },
      { vms: [{ demandMips: 5000 }] }
    ] })
    const output = policy.decide(view, context())
    const fromHot = moves(output).filter((p) => view.vms[p.vmIndex].hostIndex === 0)
    expect(fromHot.map((p) => p.vmIndex)).toEqual([1])
    expect(fromHot[0].reason).toMatch(/thr overload on host-0001/)
    expect(output.notes.overloadedHosts).toBe(1)
  })

  it('empties an under-loaded host onto others and asks to power it off when empty; idle hosts go off now', () => {
    const view = handView({ hosts: [{ vms: [{ demandMips: 1000 }] }, { vms: [{ demandMips: 5000 }] }, {}] })
    const output = policy.decide(view, context())
    expect(moves(output)).toMatchObject([{ vmIndex: 0, targetHostIndex: 1 }])
    const power = output.proposals.filter((p) => p.kind === 'power-off')
    expect(power).toMatchObject([{ hostIndex: 0, whenEmpty: true }, { hostIndex: 2, whenEmpty: false }])
  })

  it('leaves VMs whose automation is disabled where they are, and says so', () => {
    const view = handView({ hosts: [{ vms: [{ demandMips: 9500, automation: 'disabled' }] }, {}] })
    const output = policy.decide(view, context())
    expect(moves(output)).toEqual([])
    expect(output.skipped[0].reason).toMatch(/not movable/)
  })

  // Free booting (CloudSim-compatible): active and off hosts compete as one list in index order; the policy asks
  // PABFD for each side separately and must combine them as one scan would (least increase, first refusals by index).
  describe('with free booting, active and off hosts as one candidate list', () => {
    const refusals = [{ hostId: 'host-0002', reason: 'insufficient memory' }, { hostId: 'host-0003', reason: 'insufficient memory' }]
    /** host 0 overloaded; 1 off and too small; 2 on, memory full; 3 off (capacity given); 4 on, roomy (when present). */
    function cluster(offCapacityMips: number, withRoomyActive: boolean) {
      return {
        ...handView({ hosts: [
          { vms: [{ demandMips: 9000 }] },
          { state: 'off', memMiB: 512 },
          { memMiB: 1500, vms: [{ demandMips: 1000 }] },
          { state: 'off', capacityMips: offCapacityMips },
          ...(withRoomyActive ? [{ capacityMips: 20_000, vms: [{ demandMips: 500 }] }] : [])
        ] }),
        powerOnFree: true
      }
    }
    const relief = (view: ReturnType<typeof cluster>) => moves(policy.decide(view, context())).find((p) => p.priority === 2)

    it('boots the off host that adds least when it beats the active one, naming the refusals of both sides in host order', () => {
      expect(relief(cluster(40_000, true))).toMatchObject({ vmIndex: 0, targetHostIndex: 3, alternatives: refusals })
    })

    it('keeps the active host when it adds less, with the same refusals', () => {
      expect(relief(cluster(10_000, true))).toMatchObject({ vmIndex: 0, targetHostIndex: 4, alternatives: refusals })
    })

    it('boots an off host when no active host fits', () => {
      expect(relief(cluster(10_000, false))).toMatchObject({ vmIndex: 0, targetHostIndex: 3, alternatives: refusals })
    })
  })
})

describe('DRS', () => {
  it('computes the classic priority: 6 − ⌈(SD / 0.1)·√n⌉, clamped to 2…5', () => {
    expect(drsPriority(0.05, 4)).toBe(5)
    expect(drsPriority(0.2, 4)).toBe(2)
    expect(drsPriority(0.0, 4)).toBe(5)
    expect(drsPriority(0.9, 64)).toBe(2)
  })

  const imbalanced = () => handView({ hosts: [
    { vms: [{ demandMips: 3000 }, { demandMips: 3000 }, { demandMips: 2000 }] },
    { vms: [{ demandMips: 1000 }] },
    { vms: [{ demandMips: 1000 }] },
    { vms: [{ demandMips: 1000 }] }
  ] })

  it('moves load from the busiest to the least busy host, each move lowering the imbalance', () => {
    const output = createDrsPolicy(DEFAULT_DRS).decide(imbalanced(), context())
    const proposals = moves(output)
    expect(proposals.length).toBeGreaterThan(0)
    expect(proposals[0].benefit.metric).toBe('imbalance-sd')
    for (const p of proposals) expect(p.benefit.after).toBeLessThan(p.benefit.before)
    expect(proposals.every((p) => !p.recommendOnly)).toBe(true)
  })

  it('only recommends under manual automation, and does nothing at threshold 1', () => {
    expect(moves(createDrsPolicy({ ...DEFAULT_DRS, automation: 'manual' }).decide(imbalanced(), context())).every((p) => p.recommendOnly)).toBe(true)
    expect(createDrsPolicy({ ...DEFAULT_DRS, threshold: 1 }).decide(imbalanced(), context()).proposals).toEqual([])
  })

  it('refuses moves the migration model says would not converge', () => {
    const view = handView({ hosts: [
      { vms: [{ demandMips: 3000 }, { demandMips: 3000 }, { demandMips: 2000 }] }, { vms: [{ demandMips: 1000 }] }
    ], cost: { totalUs: 1, downtimeUs: 1, bytes: 1, rounds: 2, converges: false } })
    const output = createDrsPolicy(DEFAULT_DRS).decide(view, context())
    expect(moves(output)).toEqual([])
    expect(output.skipped.map((s) => s.reason)).toContain('pre-copy would not converge')
  })
})

describe('Sandpiper', () => {
  it('uses the volume metric 1/(1−cpu)·1/(1−net)·1/(1−mem)', () => {
    expect(volume(0.5, 0, 0)).toBe(2)
    expect(volume(0.5, 0.5, 0.5)).toBe(8)
    expect(ar1Forecast([0.5, 0.5, 0.5])).toBe(0.5)
  })

  it('declares a hotspot only with k of n breaches and a forecast above the threshold', () => {
    const hot = handView({ hosts: [{ history: [0.5, 0.8, 0.85, 0.9], vms: [{ demandMips: 9000 }] }] })
    expect(isHotspot(hot, hot.hosts[0], DEFAULT_SANDPIPER)).toMatch(/cpu above 0.75 in 4 of 5/)
    const blip = handView({ hosts: [{ history: [0.3, 0.3, 0.3, 0.3], vms: [{ demandMips: 9000 }] }] })
    expect(isHotspot(blip, blip.hosts[0], DEFAULT_SANDPIPER)).toBeNull()
  })

  it('moves the highest volume-to-size VM first, to the lowest-volume host', () => {
    const view = handView({ hosts: [
      { history: [0.9, 0.9, 0.9, 0.9], vms: [{ demandMips: 3000, memMiB: 8192 }, { demandMips: 3000, memMiB: 1024 }, { demandMips: 3000, memMiB: 4096 }] },
      { vms: [{ demandMips: 4000 }] },
      { vms: [{ demandMips: 1000 }] }
    ] })
    const first = moves(createSandpiperPolicy(DEFAULT_SANDPIPER).decide(view, context()))[0]
    expect(first).toMatchObject({ vmIndex: 1, targetHostIndex: 2 })
  })
})

describe('consolidate (DPM-like)', () => {
  it('packs the least-loaded host only after the cluster stayed below 45 % for the whole off window (8 ticks)', () => {
    const view = handView({ hosts: [{ vms: [{ demandMips: 2000 }] }, { vms: [{ demandMips: 1000 }] }, { vms: [{ demandMips: 3000 }] }] })
    const policy = new ConsolidatePolicy(DEFAULT_CONSOLIDATE)
    for (let tick = 1; tick < 8; tick++) expect(policy.decide(view).proposals).toEqual([])
    const output = policy.decide(view)
    expect(moves(output)[0]).toMatchObject({ vmIndex: 1, targetHostIndex: 2 })
    expect(output.proposals.find((p) => p.kind === 'power-off')).toMatchObject({ hostIndex: 1, whenEmpty: true })
  })

  it('stops packing when the remaining hosts would run above the target', () => {
    const view = handView({ hosts: [{ vms: [{ demandMips: 4300 }] }, { vms: [{ demandMips: 4300 }] }, { vms: [{ demandMips: 4300 }] }] })
    const policy = new ConsolidatePolicy(DEFAULT_CONSOLIDATE)
    for (let tick = 1; tick < 8; tick++) policy.decide(view)
    expect(policy.decide(view).proposals).toEqual([])
  })

  it('extrapolates the demand trend one step ahead', () => {
    expect(extrapolateOneStep([1, 2, 3])).toBeCloseTo(4, 12)
  })
})

describe('ping-pong detector', () => {
  it('flags a move back to a host left within the window, and longer cycles', () => {
    const detector = new PingPongDetector(3600e6)
    detector.record(0, 1, 2, 0)
    expect(detector.cycle(0, 2, 1, 1000e6)).toEqual([1, 2, 1])
    expect(detector.cycle(0, 2, 3, 1000e6)).toBeNull()
    expect(detector.cycle(0, 2, 1, 4000e6)).toBeNull()
    detector.record(0, 2, 3, 10e6)
    expect(detector.cycle(0, 3, 1, 20e6)).toEqual([1, 2, 3, 1])
  })
})

describe('policy registry', () => {
  const registry = createPolicyRegistry()

  it('lists the built-ins in contract order and resolves any detector-selector pair', () => {
    expect(registry.list().map((p) => p.name)).toEqual(['none', 'thr-mmt', 'iqr-mmt', 'mad-mmt', 'lr-mmt', 'lrr-mmt', 'drs', 'sandpiper', 'consolidate'])
    expect(registry.create('lrr-mc').name).toBe('lrr-mc')
    expect(registry.has('foo-mmt')).toBe(false)
  })

  it('coerces string parameters and rejects unknown or out-of-range ones by name', () => {
    expect(() => registry.create('drs', { threshold: '4', automation: 'manual' })).not.toThrow()
    expect(() => registry.create('drs', { threshold: 9 })).toThrow(/threshold: must be at most 5/)
    expect(() => registry.create('thr-mmt', { bogus: 1 })).toThrow(PolicyParamError)
    expect(() => registry.create('drs', { automation: 'sometimes' })).toThrow(/expected one of manual, partial, full/)
  })

  it('takes plugins by name', () => {
    const plugins = createPolicyRegistry()
    plugins.register({ info: { name: 'mine', summary: 's', params: [] }, create: () => ({ name: 'mine', decide: () => ({ proposals: [], skipped: [], notes: {} }) }) })
    expect(plugins.create('mine').name).toBe('mine')
    expect(() => plugins.register({ info: { name: 'drs', summary: '', params: [] }, create: () => ({ name: 'drs', decide: () => ({ proposals: [], skipped: [], notes: {} }) }) })).toThrow(/already registered/)
  })
})
