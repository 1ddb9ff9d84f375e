// Goal (issue 16): QEMU syncs the bitmap mid-pass as soon as what is left of the pass is below the threshold
// (ram_state_pending_estimate), and the pages then owed are the pass's remainder ∪ the pages dirtied since the
// last sync, each page once (ram_state_pending_exact); it completes when that union is below the threshold.
// Auto-converge's step logic is mig_throttle_guest_down's (initial, increment, tailslow).
// Method: a hot set in the last pages of memory, so every page the guest re-dirties is still owed by the first
// pass (2 MiB, less than one 100 ms check of transfer below the threshold): remainder + dirtied would not fit the
// threshold, the union does, and no page is sent twice.
import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, runMigrationLab } from '../../../engine/migration'
import { throttledWorkShare } from '../../../engine/migration/migration'
import { nextThrottlePct } from '../../../engine/migration/strategies/precopy-qemu'
import { labConfig } from './support'

const MEM_MIB = 64
const PAGES = MEM_MIB * 256
const MAX_BANDWIDTH_MBIT = 100
const DOWNTIME_LIMIT_MS = 300
/** 100 Mbit/s × 300 ms in 4 KiB pages (the threshold at the configured rate). */
const THRESHOLD_PAGES = (MAX_BANDWIDTH_MBIT * 1e6 / 8) * (DOWNTIME_LIMIT_MS / 1000) / 4096

describe('QEMU mid-pass sync', () => {
  it('completes on remainder ∪ dirtied when the sum would not fit, sending no page twice', () => {
    const result = runMigrationLab(labConfig({
      memMiB: MEM_MIB, linkMbitPerS: 10_000,
      workload: { kind: 'hotset', hotMiB: 2, offsetMiB: MEM_MIB - 2, dirtyPagesPerS: 20_000, pattern: 'seq' },
      params: { strategy: 'precopy-qemu', qemu: { ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: MAX_BANDWIDTH_MBIT, downtimeLimitMs: DOWNTIME_LIMIT_MS } }
    }))
    expect(result.outcome).toBe('completed')
    expect(result.lostWrites).toBe(0)
    expect(result.rounds).toHaveLength(2)
    const [first, final] = result.rounds
    // The first pass stopped early: its remainder went into the final copy with the re-dirtied pages.
    expect(first.pagesSent).toBeLessThan(PAGES)
    expect(first.pagesSent + final.pagesSent).toBe(PAGES)
    expect(result.pagesSent).toBe(PAGES)
    expect(final.pagesSent).toBeLessThan(THRESHOLD_PAGES)
    // Counting the re-dirtied hot set on top of the remainder (the old rule) would have exceeded the threshold.
    expect(first.dirtyPagesAfter).toBe(512)
    expect(final.pagesSent + first.dirtyPagesAfter).toBeGreaterThan(THRESHOLD_PAGES)
    expect(first.stopReason).toMatch(/^pending [\d.]+ MB < threshold/)
  }, 60_000)
})

describe('auto-converge steps (mig_throttle_guest_down)', () => {
  const q = DEFAULT_PARAMS.qemu
  it('starts at cpu-throttle-initial, then adds cpu-throttle-increment up to max-cpu-throttle', () => {
    expect(nextThrottlePct(0, q, 2e6, 1e6)).toBe(20)
    expect(nextThrottlePct(20, q, 2e6, 1e6)).toBe(30)
    expect(nextThrottlePct(95, q, 2e6, 1e6)).toBe(99)
  })

  it('tailslow: the step shrinks to what brings the dirtying to the threshold', () => {
    const tail = { ...q, throttleTailslow: true }
    // CPU 60 % now; ideal 60 × 0.9 = 54 → step 6 instead of 10.
    expect(nextThrottlePct(40, tail, 1e6, 0.9e6)).toBe(46)
    // Far above the threshold: the increment caps the step.
    expect(nextThrottlePct(40, tail, 10e6, 1e6)).toBe(50)
  })
})

describe('a CPU throttle slows a guest only below what its work needs (cpu_throttle)', () => {
  it('leaves a guest needing 1/11 of its vCPU at full speed until 91 %, then gives it (1 − p) × 11', () => {
    expect(throttledWorkShare(50, 1)).toBeCloseTo(0.5, 12)
    expect(throttledWorkShare(90, 1 / 11)).toBe(1)
    expect(throttledWorkShare(99, 1 / 11)).toBeCloseTo(0.11, 12)
    expect(throttledWorkShare(99, 0)).toBe(1)
  })

  it('auto-converge climbs further for a mostly idle guest, whose dirtying the first steps barely slow', () => {
    const run = (cpuDemand: number) => runMigrationLab(labConfig({
      memMiB: 64, linkMbitPerS: 10_000,
      workload: { kind: 'hotset', hotMiB: 16, dirtyPagesPerS: 8000, pattern: 'seq', cpuDemand },
      params: { strategy: 'precopy-qemu', cancelAfterUs: 30_000_000, qemu: { ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: 100, autoConverge: true } }
    }))
    const busy = run(1)
    const idle = run(1 / 11)
    expect(busy.outcome).toBe('completed')
    expect(idle.throttlePctMax).toBeGreaterThan(busy.throttlePctMax)
  }, 60_000)
})
