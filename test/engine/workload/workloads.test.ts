// Goal: every generator is deterministic per seed, exact in its long-run rate, confined to its regions and
// scaled by the CPU share as documented. Method: tick generators directly against fresh guest memory.
import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../engine/kernel'
import { GuestMemory, MIB } from '../../../engine/memory'
import { createWorkload, filledBytesFor, RateAccumulator, WORKLOAD_KINDS, type Workload, type WorkloadSpec } from '../../../engine/workload'

const MEM_BYTES = 256 * MIB

const SPECS: Record<(typeof WORKLOAD_KINDS)[number], WorkloadSpec> = {
  idle: { kind: 'idle' },
  hotset: { kind: 'hotset', hotMiB: 8, dirtyPagesPerS: 5000, pattern: 'zipf', zipfS: 1.1 },
  muncher: { kind: 'muncher', regionMiB: 32, writeMbitPerS: 800 },
  web: { kind: 'web', requestsPerS: 700 },
  game: { kind: 'game' },
  oltp: { kind: 'oltp', bufferPoolMiB: 128 },
  trace: { kind: 'trace', csv: 'timeUs,firstPage,pageCount,source\n0,10,4\n3000,100,1,device\n9000,7,2\n', loop: true, periodUs: 20_000 }
}

/** Runs `ticks` ticks of tickUs at cpuShare and returns the memory and the summed report. */
function drive(workload: Workload, options: { ticks: number; tickUs?: number; cpuShare?: number; memory?: GuestMemory }) {
  const memory = options.memory ?? new GuestMemory({ memBytes: MEM_BYTES })
  const tickUs = options.tickUs ?? 10_000
  let guest = 0
  let device = 0
  let demand = 0
  for (let i = 1; i <= options.ticks; i++) {
    const report = workload.tick(memory, { nowUs: i * tickUs, durationUs: tickUs, cpuShare: options.cpuShare ?? 1 })
    guest += report.guestPageWrites
    device += report.devicePageWrites
    demand = report.cpuDemand
  }
  return { memory, guest, device, demand }
}

function versionDigest(memory: GuestMemory): number {
  let hash = 0x811c9dc5
  for (let page = 0; page < memory.pageCount; page++) hash = Math.imul(hash ^ memory.versionOf(page), 0x01000193)
  return hash >>> 0
}

describe.each(WORKLOAD_KINDS.map((kind) => [kind, SPECS[kind]] as const))('%s workload', (kind, spec) => {
  it('repeats its write sequence exactly for the same seed', () => {
    const a = drive(createWorkload(spec, deriveStream(9, 'workload/vm-0001')), { ticks: 150 })
    const b = drive(createWorkload(spec, deriveStream(9, 'workload/vm-0001')), { ticks: 150 })
    expect(versionDigest(a.memory)).toBe(versionDigest(b.memory))
    expect(a.guest + a.device).toBeGreaterThan(0)
    expect(a.memory.totalPageWrites).toBe(a.guest + a.device)
  })

  it('reports a CPU demand in [0, 1] and writes nothing from the guest when stunned', () => {
    const run = drive(createWorkload(spec, deriveStream(1, 'w')), { ticks: 50, cpuShare: 0 })
    expect(run.guest).toBe(0)
    expect(run.device).toBe(0)
    expect(run.demand).toBeGreaterThanOrEqual(0)
    expect(run.demand).toBeLessThanOrEqual(1)
  })

  it('dirties proportionally less when throttled', () => {
    const full = drive(createWorkload(spec, deriveStream(2, 'w')), { ticks: 400 })
    const half = drive(createWorkload(spec, deriveStream(2, 'w')), { ticks: 400, cpuShare: 0.5 })
    expect(half.guest).toBeGreaterThan(0.45 * full.guest)
    expect(half.guest).toBeLessThan(0.55 * full.guest)
  })
})

describe('rates and regions', () => {
  it('carries fractional writes so long-run counts are exact', () => {
    const accumulator = new RateAccumulator()
    let total = 0
    for (let i = 0; i < 1000; i++) total += accumulator.take(333, 7_000)
    expect(total).toBe(Math.floor((333 * 7_000 * 1000) / 1e6))
    const hotset = createWorkload({ kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 1234, pattern: 'rand' }, deriveStream(1, 'w'))
    expect(drive(hotset, { ticks: 1000, tickUs: 3_000 }).guest).toBe(Math.floor(1234 * 3))
  })

  it('keeps hot-set writes inside the hot region at its offset', () => {
    for (const pattern of ['seq', 'rand', 'zipf'] as const) {
      const workload = createWorkload({ kind: 'hotset', hotMiB: 1, offsetMiB: 2, dirtyPagesPerS: 20_000, pattern }, deriveStream(1, 'w'))
      const { memory } = drive(workload, { ticks: 100 })
      for (let page = 0; page < memory.pageCount; page++) {
        const inside = page >= 512 && page < 768
        if (!inside && memory.versionOf(page) !== 0) throw new Error(`${pattern} wrote page ${page} outside the hot region`)
      }
    }
  })

  it('sweeps a hot set sequentially and cyclically', () => {
    const workload = createWorkload({ kind: 'hotset', hotMiB: 1, dirtyPagesPerS: 300 * 100, pattern: 'seq' }, deriveStream(1, 'w'))
    const { memory } = drive(workload, { ticks: 1 })
    expect(memory.versionOf(0)).toBe(2)
    expect(memory.versionOf(43)).toBe(2)
    expect(memory.versionOf(44)).toBe(1)
    expect(memory.versionOf(255)).toBe(1)
  })

  it('munches at writeMbitPerS, sequentially over its region', () => {
    const workload = createWorkload({ kind: 'muncher', regionMiB: 128, writeMbitPerS: 1000 }, deriveStream(1, 'w'))
    const { guest, memory } = drive(workload, { ticks: 100 })
    expect(guest).toBe(Math.floor(1e9 / 8 / 4096))
    expect(memory.versionOf(guest - 1)).toBe(1)
    expect(memory.versionOf(guest)).toBe(0)
  })

  it('keeps web RX DMA going under throttling but not when paused', () => {
    const spec: WorkloadSpec = { kind: 'web', requestsPerS: 1000, dmaPagesPerRequest: 2 }
    const throttled = drive(createWorkload(spec, deriveStream(1, 'w')), { ticks: 100, cpuShare: 0.2 })
    expect(throttled.device).toBe(2000)
    expect(throttled.guest).toBe(200 * 4)
    const fullCpu = createWorkload({ kind: 'web', requestsPerS: 10_000 }, deriveStream(1, 'w'))
    expect(drive(fullCpu, { ticks: 1 }).demand).toBe(1)
  })

  it('writes a game frame\'s fixed pages every frame', () => {
    const { memory, device } = drive(createWorkload({ kind: 'game', frameHz: 60, pagesPerFrame: 64 }, deriveStream(1, 'w')), { ticks: 100 })
    const stateFirst = 256
    expect(memory.versionOf(stateFirst)).toBeGreaterThanOrEqual(60)
    expect(device).toBe(120)
  })

  it('wraps the OLTP log and issues disk-read DMA', () => {
    const spec: WorkloadSpec = { kind: 'oltp', bufferPoolMiB: 64, logMiB: 1, logMbitPerS: 80, readPagesPerS: 500 }
    const { memory, device } = drive(createWorkload(spec, deriveStream(1, 'w')), { ticks: 100 })
    expect(device).toBe(500)
    // 80 Mbit/s = 2441.4 pages/s over a 256-page log: 9 full laps plus 137 pages in one second.
    expect(memory.versionOf(0)).toBe(10)
    expect(memory.versionOf(136)).toBe(10)
    expect(memory.versionOf(137)).toBe(9)
  })

  it('derives the initial zero boundary from filledMiB', () => {
    expect(filledBytesFor({ kind: 'idle', filledMiB: 100 }, MEM_BYTES)).toBe(100 * MIB)
    expect(filledBytesFor({ kind: 'idle' }, MEM_BYTES)).toBe(MEM_BYTES)
    expect(filledBytesFor({ kind: 'idle', filledMiB: 1000 }, MEM_BYTES)).toBe(MEM_BYTES)
  })

  it('rebinds to another memory and continues where it stood', () => {
    const workload = createWorkload({ kind: 'hotset', hotMiB: 2, dirtyPagesPerS: 1000, pattern: 'seq' }, deriveStream(1, 'w'))
    drive(workload, { ticks: 10 })
    const other = new GuestMemory({ memBytes: 16 * MIB })
    const { guest } = drive(workload, { ticks: 10, memory: other })
    expect(guest).toBe(100)
    expect(other.versionOf(99)).toBe(0)
    expect(other.versionOf(100)).toBe(1)
    expect(other.versionOf(199)).toBe(1)
  })
})
