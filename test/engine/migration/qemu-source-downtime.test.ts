// Goal (issue 16): QEMU's `downtime` is the source's: from before vm_stop to the last byte of the final copy and
// device state written into the socket (migration_completion_end after qemu_fflush), not to its arrival. The
// socket buffers (qemu.socketBufferBytes) take up to their free space of the final copy off that clock: all of it
// when the receiver kept up during pre-copy and they fit it, none when the path was the limit and they were full.
// The guest-visible downtime (the destination needs every byte) does not change.
// Method: lab migrations with the buffer set and unset, pre-copy below and above the link's rate.
import { describe, expect, it } from 'vitest'
import { DEFAULT_LAB, runMigrationLab, type LabResult } from '../../../engine/migration/lab'
import { DEFAULT_PARAMS, type MigrationParams } from '../../../engine/migration/types'

const MIB = 2 ** 20

function qemu(linkMbitPerS: number, overrides: Partial<MigrationParams['qemu']>): LabResult {
  return runMigrationLab({
    ...DEFAULT_LAB, memMiB: 128, workload: { kind: 'hotset', hotMiB: 32, dirtyPagesPerS: 4000, pattern: 'seq', filledMiB: 64 }, linkMbitPerS,
    params: { ...DEFAULT_PARAMS, strategy: 'precopy-qemu', qemu: { ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: 400, downtimeLimitMs: 300, ...overrides } }
  })
}

function finalCopyAndDeviceMs(result: LabResult): number {
  return result.downtimeParts.finalCopyMs + result.downtimeParts.deviceStateMs
}

describe('QEMU downtime on the source clock', () => {
  it('without a buffer the source-side downtime is the final copy plus the device state', () => {
    const none = qemu(1000, {})
    expect(none.outcome).toBe('completed')
    expect(none.sourceDowntimeMs).not.toBeNull()
    expect(none.sourceDowntimeMs ?? 0).toBeCloseTo(finalCopyAndDeviceMs(none), 2)
    expect(none.sourceDowntimeMs ?? 0).toBeGreaterThan(5)
  }, 60_000)

  it('the path had headroom (400 of 1000 Mbit/s): a buffer larger than the final copy takes it all off the source clock', () => {
    const none = qemu(1000, {})
    const buffered = qemu(1000, { socketBufferBytes: 64 * MIB })
    expect(buffered.outcome).toBe('completed')
    // The final bytes fit the empty buffers: the last one is written at the stop.
    expect(buffered.sourceDowntimeMs).toBe(0)
    // The destination still waits for every byte: guest-visible downtime and the run are unchanged.
    expect(buffered.downtimeMs).toBe(none.downtimeMs)
    expect(buffered.traceHash).toBe(none.traceHash)
  }, 60_000)

  it('the path was the limit (400 offered, 200 carried): the buffers were full at the stop, so every final byte waits for the receiver', () => {
    const full = qemu(200, { socketBufferBytes: 2 * MIB })
    const none = qemu(200, {})
    expect(full.outcome).toBe('completed')
    // Full at the stop: each byte written needs one drained, so the last is written as the final copy arrives.
    expect(finalCopyAndDeviceMs(full)).toBeGreaterThan(50)
    expect(full.sourceDowntimeMs ?? 0).toBeCloseTo(finalCopyAndDeviceMs(full), 2)
    expect(full.downtimeMs).toBe(none.downtimeMs)
    expect(full.traceHash).toBe(none.traceHash)
  }, 60_000)
})
