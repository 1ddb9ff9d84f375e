// The comparison on runs recorded from real QEMU 10.0.2 migrations on this machine (test/fixtures/qemu): what is
// read from query-migrate, how Cutover's JSON maps onto the same metrics, the errors, and the summary tables.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { compareRun, comparisonTable, firstPassMbit, firstPassPagesPerS, modelMetrics, modelVerdict, realMetrics, summarize, summaryTable, type RunComparison } from '../../validate/qemu/compare'
import { calibrationOf, modelArgs, senderPagesPerS } from '../../validate/qemu/model-run'
import type { RealRunResult } from '../../validate/qemu/real-run'
import { machineSocketBufferBytes, maxOfTcpMemLine } from '../../validate/qemu/socket-buffers'
import { loopbackTransferMbit, median } from '../../validate/qemu/loopback-rate'
import { fullMatrix, quickMatrix } from '../../validate/qemu/matrix'

function fixture(id: string): { real: RealRunResult; model: Record<string, unknown> } {
  const real = JSON.parse(readFileSync(`test/fixtures/qemu/${id}.json`, 'utf8')) as RealRunResult
  const model = (JSON.parse(readFileSync(`test/fixtures/qemu/${id}.cutover.json`, 'utf8')) as { json: Record<string, unknown> }).json
  return { real, model }
}

function row(id: string): RunComparison {
  const { real, model } = fixture(id)
  return compareRun(real.spec, realMetrics(real), modelMetrics(model, real.spec))
}

describe('real QEMU metrics', () => {
  it('reads a completed migration from query-migrate', () => {
    const { real } = fixture('m256-h16-r2000-b400')
    expect(realMetrics(real)).toEqual({
      verdict: 'completed', totalTimeMs: 4087, bytes: 214551982, downtimeMs: 59, syncs: 4, maxThrottlePct: 0, xbzrleHits: null
    })
    expect(real.destinationRunning).toBe(true)
  })

  it('takes a cancelled run\'s bytes and syncs from the last poll (the cancelled answer has no RAM figures)', () => {
    const { real } = fixture('m256-h64-r30000-b100')
    const metrics = realMetrics(real)
    expect(metrics).toMatchObject({ verdict: 'not-converged', totalTimeMs: null, downtimeMs: null, bytes: 262682191, syncs: 3 })
  })

  it('sees auto-converge reach 99 %', () => {
    expect(realMetrics(fixture('m256-h64-r30000-b400-ac').real).maxThrottlePct).toBe(99)
  })
})

describe('Cutover metrics and errors', () => {
  it('compares QEMU\'s source-side downtime with Cutover\'s final copy + device state (no commit, no resume)', () => {
    const json = { outcome: 'completed', downtimeMs: 61.4, downtimeParts: { finalCopyMs: 50.031, deviceStateMs: 1.28, commitMs: 0.084, announceMs: 0, resumeMs: 10 } }
    expect(modelMetrics(json, fullMatrix()[0]).downtimeMs).toBeCloseTo(51.311, 6)
    expect(modelMetrics({ outcome: 'completed', downtimeMs: 5 }, fullMatrix()[0]).downtimeMs).toBeNull()
  })

  it('prefers the model\'s sourceDowntimeMs (last byte written into the socket buffers) where the result has it', () => {
    const json = { outcome: 'completed', downtimeMs: 61.4, sourceDowntimeMs: 3.5, downtimeParts: { finalCopyMs: 50.031, deviceStateMs: 1.28, commitMs: 0.084, announceMs: 0, resumeMs: 10 } }
    expect(modelMetrics(json, fullMatrix()[0]).downtimeMs).toBe(3.5)
    expect(modelMetrics({ ...json, sourceDowntimeMs: 0 }, fullMatrix()[0]).downtimeMs).toBe(0)
    expect(modelMetrics({ ...json, sourceDowntimeMs: null }, fullMatrix()[0]).downtimeMs).toBeCloseTo(51.311, 6)
  })

  it('maps outcomes to verdicts', () => {
    expect(modelVerdict({ outcome: 'completed' })).toBe('completed')
    expect(modelVerdict({ outcome: 'aborted', abortReason: 'cancelled' })).toBe('not-converged')
    expect(modelVerdict({ outcome: 'aborted', abortReason: 'timed out after 30 s' })).toBe('not-converged')
    expect(modelVerdict({ outcome: 'failed', abortReason: 'dest-crash' })).toBe('failed')
  })

  it('computes relative errors only where both sides completed', () => {
    const converged = row('m256-h16-r2000-b400')
    expect(converged.verdictMatches).toBe(true)
    expect(converged.timeError).toBeCloseTo((4305.26 - 4087) / 4087, 6)
    expect(converged.bytesError).toBeCloseTo((214746112 - 214551982) / 214551982, 6)
    // QEMU's downtime is the source's: Cutover's final copy (+ device state), not its commit or resume.
    expect(converged.model.downtimeMs).toBeCloseTo(288.916, 3)
    expect(converged.downtimeErrorMs).toBeCloseTo(288.916 - 59, 3)
    expect(converged.model.syncs).toBe(4) // 3 rounds + QEMU's set-up sync
    const stuck = row('m256-h64-r30000-b100')
    expect(stuck.verdictMatches).toBe(true)
    expect([stuck.timeError, stuck.bytesError, stuck.downtimeErrorMs]).toEqual([null, null, null])
    const throttled = row('m256-h64-r30000-b400-ac')
    expect(throttled.verdictMatches).toBe(false)
    expect(throttled.throttleStepError).toBeCloseTo((80 - 99) / 10, 6)
  })

  it('summarises median and worst error and says "not measured" where nothing was', () => {
    const rows = ['m256-h16-r2000-b400', 'm256-h64-r30000-b100', 'm256-h64-r30000-b400-ac'].map(row)
    const summary = summarize(rows)
    expect(summary).toMatchObject({ runs: 3, verdictMatches: 2, downtimeWithinTarget: 0, downtimeMeasured: 1 })
    expect(summary.time?.n).toBe(1)
    expect(summary.time?.median).toBeCloseTo(0.0534, 3)
    expect(summary.throttleSteps?.worst).toBeCloseTo(1.9, 6)
    const table = comparisonTable(rows)
    expect(table).toContain('| m256-h64-r30000-b400-ac |')
    expect(table).toContain('not-converged / completed ✗')
    expect(table).toContain('not measured')
    expect(summaryTable(summarize([]))).toContain('| total time | not measured | not measured | 0 |')
  })
})

describe('matrix and Cutover arguments', () => {
  it('has at least 30 distinct runs covering every dimension, and a quick set of 3', () => {
    const runs = fullMatrix()
    expect(runs.length).toBeGreaterThanOrEqual(30)
    expect(new Set(runs.map((run) => run.id)).size).toBe(runs.length)
    expect(new Set(runs.map((run) => run.memMiB)).size).toBeGreaterThanOrEqual(3)
    for (const flag of ['autoConverge', 'xbzrle', 'postcopy', 'throttleAware'] as const) expect(runs.some((run) => run[flag])).toBe(true)
    expect(runs.some((run) => run.pattern === 'random')).toBe(true)
    expect(quickMatrix()).toHaveLength(3)
  })

  it('describes the guest by what was measured: achieved rate, non-zero memory, loopback throughput', () => {
    const { real } = fixture('m256-h16-r2000-b400')
    const args = modelArgs(real.spec, 1978.4, { memMiB: 256, nonZeroMiB: 188.4, linkMbit: 417.2 })
    const flag = (name: string): string | undefined => args[args.indexOf(name) + 1]
    expect(flag('--strategy')).toBe('precopy-qemu')
    expect(flag('--dirty-pages-per-s')).toBe('1978')
    expect(flag('--filled-mib')).toBe('188')
    expect(flag('--link-mbit')).toBe('417')
    expect(flag('--max-bandwidth-mbit')).toBe('400')
    expect(args).toContain('--json')
    const postcopy = fullMatrix().find((run) => run.postcopy)
    expect(postcopy).toBeDefined()
    if (postcopy !== undefined) expect(modelArgs(postcopy, 100, { memMiB: postcopy.memMiB, nonZeroMiB: 1, linkMbit: 1 })[2]).toBe('hybrid')
    expect(args).not.toContain('--cpu-demand')
  })

  it('tells auto-converge runs how the dirtier responds to a throttle (unaware: catches up 100 ms; aware: loses it)', () => {
    const calibration = { memMiB: 512, nonZeroMiB: 329, linkMbit: 1054 }
    const demand = (aware: boolean): string | undefined => {
      const spec = fullMatrix().find((run) => run.autoConverge && run.throttleAware === aware)
      expect(spec).toBeDefined()
      const args = spec === undefined ? [] : modelArgs(spec, 30000, calibration)
      return args[args.indexOf('--cpu-demand') + 1]
    }
    expect(demand(false)).toBe((10 / 110).toFixed(4))
    expect(demand(true)).toBe('1.0000')
  })
})

describe('the path Cutover is given', () => {
  const base = fixture('m256-h16-r2000-b400').real
  const synthetic = (syncs: RealRunResult['syncs']): RealRunResult => ({
    ...base, samples: [{ tMs: 50, status: 'active', transferred: 1_000_000, remaining: 0, syncCount: 1, throttlePct: 0, expectedDowntimeMs: null }], syncs
  })

  it('measures the first pass from the set-up poll to the second sync', () => {
    expect(firstPassMbit(synthetic([{ pass: 1, tMs: 3, transferredBytes: 0 }, { pass: 2, tMs: 1050, transferredBytes: 51_000_000 }]))).toBeCloseTo(400, 6)
    expect(firstPassMbit(synthetic([{ pass: 1, tMs: 3, transferredBytes: 0 }]))).toBeNull()
    expect(firstPassMbit(base)).toBeGreaterThan(0)
  })

  it('measures the first pass\'s page rate over every page of memory, zero pages included', () => {
    // 256 MiB = 65,536 pages from the set-up poll (50 ms) to the second sync (2,098 ms): 32,000 pages/s.
    expect(firstPassPagesPerS(synthetic([{ pass: 1, tMs: 3, transferredBytes: 0 }, { pass: 2, tMs: 2098, transferredBytes: 1 }]))).toBeCloseTo(32_000, 6)
    expect(firstPassPagesPerS(synthetic([{ pass: 1, tMs: 3, transferredBytes: 0 }]))).toBeNull()
  })

  it('gives the sender\'s page rate only where the first pass was CPU-bound (below the limit and the loopback)', () => {
    const spec = { ...base.spec, maxBandwidthMbit: 1000 }
    const calibration = { memMiB: 256, nonZeroMiB: 188, linkMbit: 669 }
    expect(senderPagesPerS(spec, calibration, { mbit: 400, pagesPerS: 16_000 })).toBe(16_000)
    expect(senderPagesPerS(spec, calibration, { mbit: 650, pagesPerS: 26_000 })).toBe(26_000)
    expect(senderPagesPerS(spec, calibration, { mbit: 675, pagesPerS: 27_000 })).toBeNull()
    expect(senderPagesPerS(spec, calibration, null)).toBeNull()
    expect(senderPagesPerS({ ...spec, maxBandwidthMbit: 100 }, calibration, { mbit: 104, pagesPerS: 3_300 })).toBeNull()
  })

  it('calibrates the loopback for whole pages: zero pages cost the sender about a page each, not their 9 bytes', () => {
    // The recorded 256 MiB calibration: 48,222 normal and 17,528 zero pages, 198,140,005 bytes at 669.39 Mbit/s.
    const calibration = calibrationOf(256, { 'page-size': 4096, normal: 48222, duplicate: 17528, transferred: 198140005, mbps: 669.3919 })
    expect(calibration.nonZeroMiB).toBeCloseTo(188.4, 1)
    expect(calibration.linkMbit).toBeCloseTo(669.3919 * (65750 * 4096) / 198140005, 6)
    expect(calibration.linkMbit).toBeGreaterThan(900)
  })

  it('caps a CPU-bound pre-copy by the sender\'s page rate, keeps max-bandwidth and sends the final copy at the loopback', () => {
    const spec = { ...base.spec, maxBandwidthMbit: 1000 }
    const args = modelArgs(spec, 2000, { memMiB: 256, nonZeroMiB: 188, linkMbit: 910 }, { mbit: 404, pagesPerS: 16_567.2 })
    expect(args[args.indexOf('--max-bandwidth-mbit') + 1]).toBe('910')
    expect(args[args.indexOf('--sender-pages-per-s') + 1]).toBe('16567')
    expect(args[args.indexOf('--link-mbit') + 1]).toBe('910')
    expect(modelArgs(spec, 2000, { memMiB: 256, nonZeroMiB: 188, linkMbit: 910 }, { mbit: 915, pagesPerS: 30_000 })).not.toContain('--sender-pages-per-s')
  })

  it('tells Cutover the machine\'s socket buffers (tcp_wmem max + tcp_rmem max) where /proc gives them', () => {
    expect(maxOfTcpMemLine('4096\t16384\t4194304\n')).toBe(4_194_304)
    expect(maxOfTcpMemLine('4096 131072 33554432')).toBe(33_554_432)
    expect(maxOfTcpMemLine('4096 131072')).toBeNull()
    expect(maxOfTcpMemLine('a b c')).toBeNull()
    expect(machineSocketBufferBytes('/nonexistent')).toBeNull()
    const calibration = { memMiB: 256, nonZeroMiB: 188, linkMbit: 910 }
    const args = modelArgs(base.spec, 2000, calibration, null, 37_748_736)
    expect(args[args.indexOf('--socket-buffer-bytes') + 1]).toBe('37748736')
    expect(modelArgs(base.spec, 2000, calibration, null, null)).not.toContain('--socket-buffer-bytes')
  })

  it('tells Cutover how fast the loopback takes one TCP stream here (the final copy\'s write rate), measured over 127.0.0.1', async () => {
    const calibration = { memMiB: 256, nonZeroMiB: 188, linkMbit: 910 }
    const args = modelArgs(base.spec, 2000, calibration, null, 37_748_736, 2981.6)
    expect(args[args.indexOf('--socket-write-mbit') + 1]).toBe('2982')
    expect(modelArgs(base.spec, 2000, calibration, null, 37_748_736, null)).not.toContain('--socket-write-mbit')
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    const mbit = await loopbackTransferMbit(4 * 2 ** 20)
    expect(mbit).toBeGreaterThan(10)
    expect(Number.isFinite(mbit)).toBe(true)
  }, 30_000)

  it('scales the cap with memory ÷ bandwidth (two copies), never below 30 s (90 s with auto-converge or post-copy)', () => {
    const cap = (id: string): number | undefined => fullMatrix().find((run) => run.id === id)?.capS
    expect(cap('m512-h16-r2000-b100')).toBe(86)
    expect(cap('m1024-h16-r2000-b100')).toBe(172)
    expect(cap('m256-h16-r2000-b1000')).toBe(30)
    expect(cap('m512-h64-r30000-b100-ac')).toBe(90)
  })
})
