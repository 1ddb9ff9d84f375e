// Goal: the driver applies every interval exactly once at the share then in force, so stunning at any
// instant stops writes at that instant. Method: a constant-rate hot set driven inside a Simulation.
import { describe, expect, it } from 'vitest'
import { Simulation } from '../../../engine/kernel'
import { GuestMemory, MIB } from '../../../engine/memory'
import { attachWorkload, createWorkload, type AppliedTick } from '../../../engine/workload'

function setup(tickUs = 10_000) {
  const sim = new Simulation(1)
  const memory = new GuestMemory({ memBytes: 16 * MIB })
  const ticks: AppliedTick[] = []
  const workload = createWorkload({ kind: 'hotset', hotMiB: 8, dirtyPagesPerS: 100_000, pattern: 'seq' }, sim.rng('workload/vm-0001'))
  const driver = attachWorkload(sim, memory, workload, { tickUs, onTick: (tick) => ticks.push(tick) })
  return { sim, memory, driver, ticks }
}

describe('WorkloadDriver', () => {
  it('ticks every tickUs and writes at the spec rate', () => {
    const { sim, memory, ticks } = setup()
    sim.runUntil(100_000)
    expect(ticks.map((tick) => tick.atUs)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((ms) => ms * 1000))
    expect(memory.guestPageWrites).toBe(10_000)
  })

  it('stuns exactly at the instant the share drops to zero, whatever the tick length', () => {
    for (const tickUs of [1_000, 10_000, 40_000]) {
      const { sim, memory, driver, ticks } = setup(tickUs)
      sim.scheduleAt(25_000, () => driver.setCpuShare(0))
      sim.runUntil(100_000)
      expect(memory.guestPageWrites).toBe(2_500)
      expect(ticks.some((tick) => tick.atUs === 25_000 && tick.cpuShare === 1)).toBe(true)
      expect(driver.cpuShare).toBe(0)
    }
  })

  it('applies throttled intervals at the reduced share', () => {
    const { sim, memory, driver } = setup()
    sim.scheduleAt(50_000, () => driver.setCpuShare(0.25))
    sim.runUntil(150_000)
    expect(memory.guestPageWrites).toBe(5_000 + 2_500)
  })

  it('flushes the partial interval on demand, so a harvest sees writes up to now', () => {
    const { sim, memory, driver } = setup()
    const log = memory.startDirtyLog()
    let seen = 0
    sim.scheduleAt(15_000, () => {
      driver.flush()
      seen = log.harvest().count
    })
    sim.runUntil(15_000)
    expect(seen).toBe(1_500)
  })

  it('stops after applying the pending interval and cancels its timer', () => {
    const { sim, memory, driver } = setup()
    sim.scheduleAt(12_000, () => driver.stop())
    sim.runUntil(100_000)
    expect(memory.guestPageWrites).toBe(1_200)
    expect(driver.running).toBe(false)
    expect(sim.pendingTimers).toBe(0)
    driver.flush()
    expect(memory.guestPageWrites).toBe(1_200)
  })

  it('moves to another memory after flushing the old one', () => {
    const { sim, memory, driver } = setup()
    const target = new GuestMemory({ memBytes: 16 * MIB })
    sim.scheduleAt(30_000, () => driver.setMemory(target))
    sim.runUntil(50_000)
    expect(memory.guestPageWrites).toBe(3_000)
    expect(target.guestPageWrites).toBe(2_000)
    expect(driver.boundMemory).toBe(target)
  })

  it('rejects a CPU share outside [0, 1]', () => {
    const { driver } = setup()
    expect(() => driver.setCpuShare(1.5)).toThrow(/cpuShare/)
    expect(() => driver.setCpuShare(-0.1)).toThrow(/cpuShare/)
  })
})
