// `npm run bench -- migration`: every strategy × workload × link with total time, downtime, bytes and rounds;
// the simulation speed (simulated time / wall time) of an 8 GiB VM with a web workload (target ≥ 1,000×);
// and the peak memory of a 64 GiB VM's migration.
import { performance } from 'node:perf_hooks'
import { runMigrationLab, DEFAULT_LAB, DEFAULT_PARAMS, STRATEGIES, type LabConfig, type StrategyName,
  type WorkloadSpec } from '../engine/index'
import { report } from './support'

const WORKLOADS: Record<string, WorkloadSpec> = {
  idle: { kind: 'idle' },
  'hotset-small': { kind: 'hotset', hotMiB: 16, dirtyPagesPerS: 2000, pattern: 'rand' },
  'hotset-large': { kind: 'hotset', hotMiB: 256, dirtyPagesPerS: 20000, pattern: 'zipf' },
  muncher: { kind: 'muncher', regionMiB: 256, writeMbitPerS: 1000 },
  web: { kind: 'web' },
  game: { kind: 'game' },
  oltp: { kind: 'oltp' }
}
const LINKS = [100, 500, 1000]

function config(strategy: StrategyName, workload: WorkloadSpec, linkMbitPerS: number, memMiB: number): LabConfig {
  return {
    ...DEFAULT_LAB, memMiB, workload, linkMbitPerS, warmupS: 3,
    params: { ...DEFAULT_PARAMS, strategy, cancelAfterUs: 600_000_000, qemu: { ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: linkMbitPerS },
      clark: { ...DEFAULT_PARAMS.clark, rateMaxMbitPerS: Math.min(DEFAULT_PARAMS.clark.rateMaxMbitPerS, linkMbitPerS), rateMinMbitPerS: Math.min(100, linkMbitPerS) } }
  }
}

function matrix(memMiB: number): void {
  process.stdout.write(`\nstrategy × workload × link, ${memMiB} MiB VM (times in s, downtime in ms, MB sent, rounds)\n`)
  process.stdout.write(`${'strategy'.padEnd(14)}${'workload'.padEnd(14)}${'Mbit/s'.padStart(7)}${'outcome'.padStart(11)}${'total s'.padStart(10)}${'down ms'.padStart(10)}${'MB'.padStart(9)}${'rounds'.padStart(8)}\n`)
  for (const strategy of STRATEGIES) {
    for (const [name, workload] of Object.entries(WORKLOADS)) {
      for (const link of LINKS) {
        const r = runMigrationLab(config(strategy, workload, link, memMiB))
        process.stdout.write(`${strategy.padEnd(14)}${name.padEnd(14)}${String(link).padStart(7)}${r.outcome.padStart(11)}${(r.totalTimeMs / 1000).toFixed(1).padStart(10)}${r.downtimeMs.toFixed(1).padStart(10)}${(r.bytesSent / 1e6).toFixed(0).padStart(9)}${String(r.rounds.length).padStart(8)}\n`)
      }
    }
  }
}

function speed(): void {
  for (const strategy of ['precopy-qemu', 'postcopy', 'precopy'] as const) {
    const lab = config(strategy, WORKLOADS.web, 1000, 8192)
    const tuned = strategy === 'precopy' ? { ...lab, params: { ...lab.params, clark: { ...lab.params.clark, rateMinMbitPerS: 500, rateMaxMbitPerS: 1000 } } } : lab
    runMigrationLab(tuned) // warm the JIT: steady-state speed is what a long session or a sweep sees
    let wallMs = Infinity
    let r = runMigrationLab(tuned)
    for (let i = 0; i < 3; i++) {
      const start = performance.now()
      r = runMigrationLab(tuned)
      wallMs = Math.min(wallMs, performance.now() - start)
    }
    report(`8 GiB web ${strategy}: simulated / wall (best of 3)`, `${(r.simulatedMs / wallMs).toFixed(0)}× (${(r.simulatedMs / 1000).toFixed(1)} s in ${wallMs.toFixed(0)} ms, ${r.outcome})`, '≥ 1,000×')
  }
}

function peakMemory(): void {
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
  const start = performance.now()
  const r = runMigrationLab({ ...config('precopy-qemu', WORKLOADS.web, 10_000, 65536), warmupS: 1 })
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  report('64 GiB web precopy-qemu @10 Gbit/s: peak RSS', `${(peak / 1e6).toFixed(0)} MB (+${((peak - before) / 1e6).toFixed(0)} MB), ${r.outcome} in ${((performance.now() - start) / 1000).toFixed(1)} s wall`)
}

export function run(): void {
  speed()
  peakMemory()
  matrix(Number(process.env.BENCH_MEM_MIB ?? 1024))
}
