// Goal (issue 16): QEMU's `downtime` is the source's: from before vm_stop to the last byte of the final copy and
// device state written into the socket (migration_completion_end after qemu_fflush), not to its arrival. The
// socket buffers (qemu.socketBufferBytes) take up to their free space of the final copy off that clock: all of it
// when the receiver kept up during pre-copy and they fit it, none when the path was the limit and they were full.
// The guest-visible downtime (the destination needs every byte) does not change. Writing is not free: the source
// writes at qemu.socketWriteMbitPerS (loopback: the TCP stack's own rate, measured 2–4 Gbit/s here), so a final
// copy into empty buffers still takes its bytes ÷ that rate (QEMU measured 25–53 ms for 12–21 MB, not 0).
// Method: lab migrations with the buffer set and unset, pre-copy below and above the link's rate.
import { describe, expect, it } from 'vitest'
import { DEFAULT_LAB, runMigrationLab, type LabResult } from '../../../engine/migration/lab'
import { DEFAULT_PARAMS, type MigrationParams } from '../../../engine/migration/types'
import { sourceWriteUs } from '../../../engine/migration/strategies/precopy-qemu'

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

  it('a finite write rate: into empty buffers the final copy takes its bytes ÷ that rate; behind full ones, the drain', () => {
    const mb = 1e6
    // 20 MB drained at 1 Gbit/s (160 ms), written at 3 Gbit/s into 36 MB of room: written in 53.3 ms.
    expect(sourceWriteUs(20 * mb, 160_000, 36 * mb, 3000 / 8)).toBeCloseTo(53_333, 0)
    // Memory speed into room for all of it: 0 (the old model); room for none: every byte waits (the transfer).
    expect(sourceWriteUs(20 * mb, 160_000, 36 * mb, Infinity)).toBe(0)
    expect(sourceWriteUs(20 * mb, 160_000, 0, 3000 / 8)).toBe(160_000)
    // 4 MB of room: full after 4 / (375 − 125) = 16 ms (6 MB written), the other 14 MB at the drain rate (112 ms).
    expect(sourceWriteUs(20 * mb, 160_000, 4 * mb, 3000 / 8)).toBeCloseTo(16_000 + 112_000, 0)
    // Writing no faster than the drain: the writer is the limit.
    expect(sourceWriteUs(20 * mb, 160_000, 36 * mb, 100 / 8)).toBeCloseTo(1_600_000, 0)
    expect(sourceWriteUs(0, 0, 36 * mb, 3000 / 8)).toBe(0)
  })

  it('with a socket write rate, the source clock counts the final copy and device state at that rate even into empty buffers', () => {
    const memorySpeed = qemu(1000, { socketBufferBytes: 64 * MIB })
    const written = qemu(1000, { socketBufferBytes: 64 * MIB, socketWriteMbitPerS: 3000 })
    expect(written.outcome).toBe('completed')
    expect(memorySpeed.sourceDowntimeMs).toBe(0)
    const finalRound = written.rounds[written.rounds.length - 1]
    // The final round's bytes include the device state.
    expect(finalRound.bytesSent).toBeGreaterThan(DEFAULT_PARAMS.cpuStateBytes)
    expect(written.sourceDowntimeMs ?? 0).toBeCloseTo((finalRound.bytesSent * 8) / 3000 / 1000, 0)
    expect(written.sourceDowntimeMs ?? 0).toBeGreaterThan(5)
    // Faster than the 1000 Mbit/s link: the data still arrives at link speed (guest-visible downtime unchanged).
    expect(written.downtimeMs).toBe(memorySpeed.downtimeMs)
  }, 60_000)

  it('a socket write rate below the link caps the final copy itself (the rate limit is lifted, the writer is not)', () => {
    const fast = qemu(1000, {})
    const slowWriter = qemu(1000, { socketWriteMbitPerS: 500 })
    expect(slowWriter.outcome).toBe('completed')
    expect(slowWriter.downtimeParts.finalCopyMs).toBeGreaterThan(1.5 * fast.downtimeParts.finalCopyMs)
    expect(slowWriter.sourceDowntimeMs ?? 0).toBeCloseTo(finalCopyAndDeviceMs(slowWriter), 0)
  }, 60_000)
})
