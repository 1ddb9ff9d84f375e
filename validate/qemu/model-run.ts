// The Cutover side of a comparison: `cutover migrate` with the real run's parameters. The guest is described by
// what was measured, not by what was asked for: the dirty rate the guest achieved before `migrate`, its real
// non-zero memory (a zero-dirty calibration run of that size) and the loopback's real throughput (the same run
// with the rate limit lifted), because under TCG both differ from the nominal figures.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunSpec } from './spec'

export interface GuestCalibration {
  readonly memMiB: number
  /** Non-zero guest memory QEMU sent (ram.normal) in a zero-dirty run, MiB. */
  readonly nonZeroMiB: number
  /** What the loopback path carries for whole pages with no rate limit (calibrationOf). */
  readonly linkMbit: number
}

/**
 * The guest and path a zero-dirty, unlimited calibration run shows (its query-migrate `ram`). Its ram.mbps counts
 * the time the sender spent on zero pages, which carry no bytes but cost about as much as a whole page here (the
 * first passes are limited in pages/s, not bytes/s): the link for whole pages is the pages visited per second ×
 * the page size, i.e. mbps × (normal + duplicate) × page-size / transferred.
 */
export function calibrationOf(memMiB: number, ram: Record<string, number | undefined>): GuestCalibration {
  const pageBytes = ram['page-size'] ?? 4096
  const normal = ram.normal ?? 0
  const mbps = ram.mbps ?? 1000
  const transferred = ram.transferred ?? 0
  const pageShare = transferred > 0 ? ((normal + (ram.duplicate ?? 0)) * pageBytes) / transferred : 1
  return { memMiB, nonZeroMiB: (normal * pageBytes) / 2 ** 20, linkMbit: mbps * pageShare }
}

export interface ModelRunResult {
  readonly args: readonly string[]
  readonly json: Record<string, unknown>
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'cutover.js')

/**
 * The dirtier's CPU need as QEMU's throttle sees it (guest/dirtier.c). A throttle-aware guest drops every
 * throttled millisecond of work: demand 1. An unaware one catches up on up to 100 ms of owed writes after each
 * throttle sleep, so per cpu_throttle period (10 ms run + 10·p/(1−p) ms asleep) it still does min(period, 110 ms)
 * worth of writes: it slows only once p passes 1 − 10/110, exactly as a guest needing 10/110 of its vCPU does.
 */
export function guestCpuDemand(spec: RunSpec): number {
  return spec.throttleAware ? 1 : 10 / 110
}

/**
 * Below this share of what max-bandwidth and the loopback allow, the sender was the first pass's limit. QEMU's rate
 * limiter overshoots (first passes at 100 Mbit/s carried 102–104), so a pass it limited does not fall below 1.0;
 * one that did was held back by the sender (0.9 before: passes at 91–99 % were left to run at max-bandwidth).
 */
const CPU_BOUND_SHARE = 1.0

/** What the first pass showed about the sender: its throughput (Mbit/s) and its page rate (pages/s, zero pages included). */
export interface FirstPass {
  readonly mbit: number
  readonly pagesPerS: number
}

/** The first pass was CPU-bound: it carried less than max-bandwidth and the loopback allow. */
export function cpuBound(spec: RunSpec, calibration: GuestCalibration, firstPass: FirstPass | null): firstPass is FirstPass {
  return firstPass !== null && firstPass.mbit < CPU_BOUND_SHARE * Math.min(spec.maxBandwidthMbit, calibration.linkMbit)
}

/**
 * Where the first pass was CPU-bound, the sender's page rate it showed (under TCG the vCPU thread takes CPU from
 * the migration thread, and each page visited costs it about the same, zero or not): Cutover's
 * `--sender-pages-per-s`, which caps pre-copy only. Null where the first pass went at max-bandwidth. Once the guest
 * stops, the final copy runs at the loopback's speed, so that is the link Cutover is given.
 */
export function senderPagesPerS(spec: RunSpec, calibration: GuestCalibration, firstPass: FirstPass | null): number | null {
  return cpuBound(spec, calibration, firstPass) ? firstPass.pagesPerS : null
}

/**
 * `socketBufferBytes`: the machine's socket buffers (machineSocketBufferBytes), so the model's source-side downtime
 * stops, as QEMU's does, when the last byte is written into them; null leaves the model's default (none).
 * `socketWriteMbit`: how fast one TCP stream writes over loopback here (machineLoopbackMbit), the rate the stopped
 * source writes its final copy at even into empty buffers; null leaves the model's default (memory speed).
 */
export function modelArgs(spec: RunSpec, guestRatePagesPerS: number, calibration: GuestCalibration, firstPass: FirstPass | null = null,
  socketBufferBytes: number | null = null, socketWriteMbit: number | null = null): string[] {
  const args = [
    'migrate', '--strategy', spec.postcopy ? 'hybrid' : 'precopy-qemu', '--mem-mib', String(spec.memMiB),
    '--workload', 'hotset', '--hot-mib', String(spec.hotMiB), '--dirty-pages-per-s', String(Math.max(0, Math.round(guestRatePagesPerS))),
    '--pattern', spec.pattern === 'random' ? 'rand' : 'seq',
    '--filled-mib', String(Math.min(spec.memMiB, Math.max(spec.hotMiB, Math.round(calibration.nonZeroMiB)))),
    '--link-mbit', String(Math.max(1, Math.round(calibration.linkMbit))),
    '--max-bandwidth-mbit', String(Math.max(1, Math.round(Math.min(spec.maxBandwidthMbit, calibration.linkMbit)))), '--downtime-limit-ms', String(spec.downtimeLimitMs),
    '--cancel-after-s', String(spec.capS), '--latency-us', '20', '--json'
  ]
  const sender = senderPagesPerS(spec, calibration, firstPass)
  if (sender !== null) args.push('--sender-pages-per-s', String(Math.round(sender)))
  if (socketBufferBytes !== null) args.push('--socket-buffer-bytes', String(socketBufferBytes))
  if (socketWriteMbit !== null) args.push('--socket-write-mbit', String(Math.max(1, Math.round(socketWriteMbit))))
  if (spec.autoConverge) args.push('--auto-converge', '--cpu-demand', guestCpuDemand(spec).toFixed(4))
  if (spec.xbzrle) args.push('--xbzrle')
  return args
}

export function runModel(spec: RunSpec, guestRatePagesPerS: number, calibration: GuestCalibration, firstPass: FirstPass | null,
  socketBufferBytes: number | null, socketWriteMbit: number | null): ModelRunResult {
  const args = modelArgs(spec, guestRatePagesPerS, calibration, firstPass, socketBufferBytes, socketWriteMbit)
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 600_000 })
  if (result.status !== 0) throw new Error(`cutover ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`)
  return { args, json: JSON.parse(result.stdout) as Record<string, unknown> }
}
