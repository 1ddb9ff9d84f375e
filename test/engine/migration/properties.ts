// Swarm-style property check (shared by the two halves that run in parallel): random strategy, memory size, workload, link and faults. Every run must end
// within its limits with no lost writes and never two running copies; a completed run's destination equals
// the source at suspension byte for byte (these VMs keep real bytes). A failure prints the seed.
import { expect } from 'vitest'
import fc from 'fast-check'
import { FAULT_KINDS_WITH_DURATION, MIGRATION_FAULT_KINDS, FAULT_STAGES, POSTCOPY_PROBE_US, STRATEGIES, runMigrationLab, type PlannedFault } from '../../../engine/migration'
import type { WorkloadSpec } from '../../../engine/workload'
import { labConfig } from './support'

const workloadArb: fc.Arbitrary<WorkloadSpec> = fc.oneof(
  fc.constant<WorkloadSpec>({ kind: 'idle' }),
  fc.record({ kind: fc.constant('hotset' as const), hotMiB: fc.integer({ min: 1, max: 16 }), dirtyPagesPerS: fc.integer({ min: 0, max: 10_000 }),
    pattern: fc.constantFrom('seq' as const, 'rand' as const, 'zipf' as const), filledMiB: fc.integer({ min: 0, max: 16 }) }),
  fc.record({ kind: fc.constant('muncher' as const), regionMiB: fc.integer({ min: 1, max: 8 }), writeMbitPerS: fc.integer({ min: 1, max: 800 }) }),
  fc.constant<WorkloadSpec>({ kind: 'web', heapMiB: 8, netBufferMiB: 2 }),
  fc.constant<WorkloadSpec>({ kind: 'game', stateMiB: 4 }),
  fc.constant<WorkloadSpec>({ kind: 'oltp', bufferPoolMiB: 8, logMiB: 4, dirtyPagesPerS: 5000 })
)

// Path faults may heal by themselves after a duration (KIND@WHEN+FORs); crashes never do.
const durationArb = fc.integer({ min: 1_000, max: 2_500_000 })
const faultArb: fc.Arbitrary<PlannedFault> = fc.oneof(
  fc.record({ kind: fc.constantFrom(...MIGRATION_FAULT_KINDS), stage: fc.constantFrom(...FAULT_STAGES) }),
  fc.record({ kind: fc.constantFrom(...MIGRATION_FAULT_KINDS), afterStartUs: fc.integer({ min: 0, max: 3_000_000 }) }),
  fc.record({ kind: fc.constantFrom(...FAULT_KINDS_WITH_DURATION), stage: fc.constantFrom(...FAULT_STAGES), durationUs: durationArb }),
  fc.record({ kind: fc.constantFrom(...FAULT_KINDS_WITH_DURATION), afterStartUs: fc.integer({ min: 0, max: 3_000_000 }), durationUs: durationArb })
)

/** A healed path is found back within one probe, the activation's resume and a round trip (4 link latencies). */
const pauseSlackUs = (latencyUs: number): number => POSTCOPY_PROBE_US + 10_000 + 4 * latencyUs + 5_000

export const configArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  strategy: fc.constantFrom(...STRATEGIES),
  memMiB: fc.constantFrom(16, 24),
  workload: workloadArb,
  linkMbitPerS: fc.integer({ min: 100, max: 2000 }),
  latencyUs: fc.integer({ min: 10, max: 5000 }),
  faults: fc.array(faultArb, { maxLength: 2 }),
  autoConverge: fc.boolean(),
  xbzrle: fc.boolean()
})


/** Runs one random configuration and checks every invariant; fast-check prints the seed on failure. */
type Configuration = typeof configArb extends fc.Arbitrary<infer T> ? T : never

export function checkConfiguration(c: Configuration): void {
  const result = runMigrationLab(labConfig({
    seed: c.seed, memMiB: c.memMiB, workload: c.workload, linkMbitPerS: c.linkMbitPerS, latencyUs: c.latencyUs, faults: c.faults,
    warmupS: 0.1, params: { strategy: c.strategy, cancelAfterUs: 8_000_000,
      qemu: { ...labConfig().params.qemu, autoConverge: c.autoConverge, xbzrle: c.xbzrle, maxBandwidthMbitPerS: c.linkMbitPerS } }
  }))
  expect(result.lostWrites).toBe(0)
  expect(result.maxRunningCopies).toBeLessThanOrEqual(1)
  if (result.outcome === 'completed') {
    expect(result.runningOn).toBe('host-b')
    expect(result.bytesVerified).toBe(true)
  } else if (result.outcome === 'aborted') {
    expect(result.runningOn).toBe('host-a')
    expect(result.abortReason).toBeTruthy()
  } else if (result.outcome === 'paused') {
    // Paused only by a path fault that never heals; the VM waits on the destination.
    expect(c.faults.some((fault) => isPathFault(fault) && fault.durationUs === undefined)).toBe(true)
    expect(result.runningOn).toBe('host-b')
    expect(result.postcopyPausedMs).toBeGreaterThan(0)
  } else {
    expect(result.runningOn).toBeNull()
    expect(result.abortReason).toBeTruthy()
  }
  const sideDies = c.faults.some((fault) => !isPathFault(fault))
  // Failed means a side died: a lost path (healed or not) never fails a migration, post-copy included.
  if (!sideDies) expect(result.outcome).not.toBe('failed')
  if (result.lostPages > 0) expect(c.faults.some((fault) => fault.kind === 'source-crash')).toBe(true)
  // Every path fault heals before the cancel horizon: post-copy recovers and is never left paused.
  if (c.faults.every((fault) => isPathFault(fault) && fault.durationUs !== undefined)) expect(result.outcome).not.toBe('paused')
  const [only] = c.faults
  if (c.faults.length === 1 && isPathFault(only) && only.durationUs !== undefined && result.outcome === 'completed' && (result.postcopyPausedMs ?? 0) > 0) {
    // One healed path fault after the switch: paused for its duration, up to one probe and a round trip more.
    const pausedUs = (result.postcopyPausedMs as number) * 1000
    expect(pausedUs).toBeGreaterThanOrEqual(only.durationUs - 1)
    expect(pausedUs).toBeLessThanOrEqual(only.durationUs + pauseSlackUs(c.latencyUs))
  }
}

function isPathFault(fault: PlannedFault): boolean {
  return (FAULT_KINDS_WITH_DURATION as readonly string[]).includes(fault.kind)
}

/** Runs `numRuns` configurations (MIGRATION_PROP_RUNS overrides; SEED reproduces a failure). */
export function checkMany(numRuns: number, seed: number): void {
  fc.assert(fc.property(configArb, checkConfiguration), { numRuns: Number(process.env.MIGRATION_PROP_RUNS ?? numRuns), seed: Number(process.env.SEED ?? seed) })
}
