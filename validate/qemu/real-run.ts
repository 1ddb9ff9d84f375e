// One real migration: source and destination QEMU under TCG on 127.0.0.1, the dirtier guest, QMP set-up,
// `migrate`, `query-migrate` every 50 ms (one row per bitmap sync from MIGRATION_PASS events), a check that the
// guest runs on the destination afterwards, and both QEMUs stopped by PID. Everything is recorded in the result.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { QmpClient } from './qmp'
import { mbitToBytesPerS, POSTCOPY_AFTER_PASSES, type RunSpec } from './spec'
import type { QemuToolchain } from './setup'

export interface MigrateSample {
  readonly tMs: number
  readonly status: string
  readonly transferred: number
  readonly remaining: number
  readonly syncCount: number
  readonly throttlePct: number
  readonly expectedDowntimeMs: number | null
}

export interface SyncRow {
  readonly pass: number
  /** ms since `migrate` was issued (QMP event timestamp). */
  readonly tMs: number
  /** ram.transferred at the closest poll at or after the sync. */
  readonly transferredBytes: number
}

export type RealVerdict = 'completed' | 'not-converged' | 'failed'

export interface RealRunResult {
  readonly spec: RunSpec
  readonly qemuVersion: string
  readonly kernelVersion: string
  readonly verdict: RealVerdict
  readonly errorDesc: string | null
  /** The guest's achieved dirty rate (pages/s) over the settle period before `migrate`. */
  readonly guestRatePagesPerS: number
  readonly samples: readonly MigrateSample[]
  readonly syncs: readonly SyncRow[]
  /** `query-migrate`'s last answer (completed, failed or the last poll before the cancel). */
  readonly final: Record<string, unknown>
  readonly destinationRunning: boolean
  readonly wallS: number
  /**
   * This machine's one-stream loopback TCP rate (Mbit/s) measured just before the run (loopback-rate.ts); it moves
   * with the load, so each run carries its own. Absent in runs recorded before it was measured; null: not measured.
   */
  readonly loopbackMbit?: number | null
  /** The same measurement's 16 MiB burst into the drained connection, the writer's clock (Mbit/s); kept, not used. */
  readonly loopbackBurstMbit?: number | null
  /** The host's 1-minute load average just before the run: TCG timing, and the final copy's speed, move with it. */
  readonly loadAverage?: number
}

const POLL_MS = 50
/** TCG boots in ~3 s on an idle core; on a loaded 2-core machine it has taken over 180 s. */
const BOOT_TIMEOUT_MS = 300_000
const SETTLE_MS = 3_000

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function dirtierLines(logPath: string): { tMs: number; rate: number }[] {
  if (!existsSync(logPath)) return []
  const lines: { tMs: number; rate: number }[] = []
  for (const match of readFileSync(logPath, 'utf8').matchAll(/DIRTIER t_ms=(\d+) written=\d+ rate=(\d+)/g)) {
    lines.push({ tMs: Number(match[1]), rate: Number(match[2]) })
  }
  return lines
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`)
    await sleep(100)
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.pid === undefined) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => { try { process.kill(child.pid as number, 'SIGKILL') } catch { /* already gone */ } }, 3000)
    child.once('exit', () => { clearTimeout(timer); resolve() })
    try { process.kill(child.pid as number, 'SIGTERM') } catch { clearTimeout(timer); resolve() }
  })
}

function qemuArgs(tools: QemuToolchain, spec: RunSpec, dir: string, side: 'src' | 'dst', port: number): string[] {
  const append = [
    'console=ttyS0', 'quiet', `dirtier.fill_mib=${spec.fillMiB}`, `dirtier.hot_mib=${spec.hotMiB}`, `dirtier.rate=${spec.ratePagesPerS}`,
    `dirtier.pattern=${spec.pattern}`, `dirtier.throttle_aware=${spec.throttleAware ? 1 : 0}`
  ].join(' ')
  const args = [
    '-L', tools.firmwareDir, '-L', join(tools.firmwareDir, '..', 'seabios'),
    '-machine', 'q35', '-accel', 'tcg', '-m', String(spec.memMiB), '-smp', '1', '-nodefaults', '-display', 'none',
    '-kernel', tools.kernel, '-initrd', tools.initrd, '-append', append,
    '-serial', `file:${join(dir, `${side}.serial.log`)}`, '-qmp', `unix:${join(dir, `${side}.qmp`)},server=on,wait=off`
  ]
  if (side === 'dst') args.push('-incoming', `tcp:127.0.0.1:${port}`)
  return args
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0
}

function sampleOf(info: Record<string, unknown>, tMs: number): MigrateSample {
  const ram = (info.ram ?? {}) as Record<string, unknown>
  return {
    tMs, status: String(info.status ?? 'unknown'), transferred: num(ram.transferred), remaining: num(ram.remaining),
    syncCount: num(ram['dirty-sync-count']), throttlePct: num(info['cpu-throttle-percentage']),
    expectedDowntimeMs: typeof info['expected-downtime'] === 'number' ? info['expected-downtime'] : null
  }
}

export async function runRealMigration(tools: QemuToolchain, spec: RunSpec, workDir: string): Promise<RealRunResult> {
  const wallStart = Date.now()
  const dir = join(workDir, spec.id)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  const env = { ...process.env, LD_LIBRARY_PATH: tools.libraryPath }
  const children: ChildProcess[] = []
  const launch = (side: 'src' | 'dst'): ChildProcess => {
    const child = spawn(tools.qemuBinary, qemuArgs(tools, spec, dir, side, port), { env, stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.setEncoding('utf8')
    children.push(child)
    return child
  }
  let src: QmpClient | undefined
  let dst: QmpClient | undefined
  try {
    launch('src')
    launch('dst')
    src = await QmpClient.open(join(dir, 'src.qmp'), 30_000)
    dst = await QmpClient.open(join(dir, 'dst.qmp'), 30_000)
    const srcLog = join(dir, 'src.serial.log')
    await waitFor(() => dirtierLines(srcLog).length >= 1, BOOT_TIMEOUT_MS, 'the guest dirtier on the source')
    const settledFrom = dirtierLines(srcLog).length
    await sleep(SETTLE_MS)
    const settled = dirtierLines(srcLog).slice(settledFrom)
    const guestRatePagesPerS = settled.length === 0 ? spec.ratePagesPerS
      : settled.reduce((sum, line) => sum + line.rate, 0) / settled.length

    const capabilities = [
      { capability: 'events', state: true }, { capability: 'auto-converge', state: spec.autoConverge },
      { capability: 'xbzrle', state: spec.xbzrle }, { capability: 'postcopy-ram', state: spec.postcopy }
    ]
    await src.execute('migrate-set-capabilities', { capabilities })
    if (spec.postcopy) await dst.execute('migrate-set-capabilities', { capabilities: [{ capability: 'postcopy-ram', state: true }] })
    await src.execute('migrate-set-parameters', {
      'max-bandwidth': mbitToBytesPerS(spec.maxBandwidthMbit), 'downtime-limit': spec.downtimeLimitMs
    })
    const startedAt = Date.now()
    const startedEpochUs = startedAt * 1000
    await src.execute('migrate', { uri: `tcp:127.0.0.1:${port}` })

    const samples: MigrateSample[] = []
    let final: Record<string, unknown> = {}
    let verdict: RealVerdict = 'failed'
    let postcopyStarted = false
    for (;;) {
      await sleep(POLL_MS)
      const info = await src.execute<Record<string, unknown>>('query-migrate')
      const sample = sampleOf(info, Date.now() - startedAt)
      samples.push(sample)
      final = info
      if (sample.status === 'completed') { verdict = 'completed'; break }
      if (sample.status === 'failed' || sample.status === 'cancelled') { verdict = 'failed'; break }
      if (spec.postcopy && !postcopyStarted && sample.syncCount > POSTCOPY_AFTER_PASSES) {
        await src.execute('migrate-start-postcopy')
        postcopyStarted = true
      }
      if (sample.tMs > spec.capS * 1000) {
        await src.execute('migrate_cancel')
        for (let tries = 0; tries < 100; tries++) {
          final = await src.execute<Record<string, unknown>>('query-migrate')
          if (final.status !== 'cancelling' && final.status !== 'active') break
          await sleep(POLL_MS)
        }
        verdict = 'not-converged'
        break
      }
    }
    const syncs: SyncRow[] = src.events
      .filter((event) => event.event === 'MIGRATION_PASS')
      .map((event) => {
        const tMs = (event.timestamp.seconds * 1e6 + event.timestamp.microseconds - startedEpochUs) / 1000
        const after = samples.find((sample) => sample.tMs >= tMs)
        return { pass: num(event.data?.pass), tMs: Math.round(tMs), transferredBytes: after?.transferred ?? num((final.ram as Record<string, unknown> | undefined)?.transferred) }
      })
    let destinationRunning = false
    if (verdict === 'completed') {
      const dstLog = join(dir, 'dst.serial.log')
      const before = dirtierLines(dstLog).length
      destinationRunning = await waitFor(() => dirtierLines(dstLog).length >= before + 2, 20_000, 'the guest on the destination')
        .then(() => true, () => false)
    }
    return {
      spec, qemuVersion: tools.qemuVersion, kernelVersion: tools.kernelVersion, verdict,
      errorDesc: typeof final['error-desc'] === 'string' ? final['error-desc'] : null,
      guestRatePagesPerS: Math.round(guestRatePagesPerS), samples, syncs, final, destinationRunning,
      wallS: Math.round((Date.now() - wallStart) / 100) / 10
    }
  } finally {
    src?.close()
    dst?.close()
    await Promise.all(children.map(stop))
  }
}
