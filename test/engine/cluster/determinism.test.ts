// Goal: a datacenter run is a pure function of (scenario, seed, policy, commands at virtual times): the same
// inputs give the same trace hash, however the run is sliced; another seed gives another trace.
// Method: repeated runs of presets; one golden hash pins the encoding (update it deliberately, with a note).
import { describe, expect, it } from 'vitest'
import { createDatacenter } from '../../../engine/index'
import { preset } from './support'

const smallCluster = preset('small-cluster')

describe('datacenter determinism', () => {
  it('gives the same summary and trace hash for the same seed, and another for another seed', () => {
    const a = createDatacenter({ scenario: smallCluster, seed: 7, policy: 'mad-mmt', hours: 6 }).run()
    const b = createDatacenter({ scenario: smallCluster, seed: 7, policy: 'mad-mmt', hours: 6 }).run()
    const c = createDatacenter({ scenario: smallCluster, seed: 8, policy: 'mad-mmt', hours: 6 }).run()
    expect(b).toEqual(a)
    expect(c.traceHash).not.toBe(a.traceHash)
  })

  it('does not depend on how the run is sliced', () => {
    const whole = createDatacenter({ scenario: smallCluster, seed: 3, policy: 'drs', hours: 4 }).run()
    const sliced = createDatacenter({ scenario: smallCluster, seed: 3, policy: 'drs', hours: 4 })
    for (let hour = 0.25; hour < 4; hour += 0.25) sliced.runUntil(hour * 3600e6)
    expect(sliced.run()).toEqual(whole)
  })

  it('replays commands given at the same virtual times', () => {
    const withCommands = () => {
      const dc = createDatacenter({ scenario: smallCluster, seed: 5, policy: 'thr-mmt', hours: 3 })
      dc.runUntil(3600e6)
      expect(dc.evacuateHost('host-0004', 1800)).toBeNull()
      dc.runUntil(5400e6)
      expect(dc.failHost('host-0007', 600)).toBeNull()
      const refusal = dc.migrateVm('vm-0001', 'host-0010')
      return { refusal, summary: dc.run() }
    }
    expect(withCommands()).toEqual(withCommands())
  })

  it('keeps a workload independent of the policy: a policy that moves nothing leaves the same demand', () => {
    const none = createDatacenter({ scenario: smallCluster, seed: 11, policy: 'none', hours: 2 })
    const sandpiper = createDatacenter({ scenario: smallCluster, seed: 11, policy: 'sandpiper', hours: 2 })
    none.run()
    sandpiper.run()
    const seriesA = none.inspectState().series
    const seriesB = sandpiper.inspectState().series
    expect(seriesB).toEqual(seriesA)
  })

  // Updated when dc.finished gained unservedPct, when the estimate capped rounds at the WWS (min, not max),
  // when the estimate started counting the CPU/device state sent in the downtime (256 KiB), and when it began
  // modelling peek-and-skip over uniform writes in the WWS (session 2).
  // 9f9e60bb8a89f77d: the estimate model's migration.ended events carry lostWrites null (not verified) instead of 0.
  // fda5aaabef700f12: migrations became flows on the max-min fair migration network (issue 15: 8 migration.rate
  // events, a move sharing a NIC now slows the other one too; 34 migrations as before).
  it('pins the trace hash of small-cluster, thr-mmt, seed 1 (golden; update deliberately)', () => {
    expect(createDatacenter({ scenario: smallCluster, seed: 1, policy: 'thr-mmt' }).run().traceHash).toBe('fda5aaabef700f12')
  })
})
