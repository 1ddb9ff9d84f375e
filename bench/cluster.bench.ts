// Cluster scale (`npm run bench -- cluster`): wall time of a simulated day for dc-1000 with thr-mmt and
// drs, planetlab-800 with every built-in policy (target ≤ 3 s each), dc-1000x20000 with mad-mmt every 300 s
// (target ≤ 30 s; 43–47 s before the PABFD index, issue #19), and a sweep of 2 policies × 4 seeds on 2 worker
// threads (target ≤ 3 s) through the built CLI and, for comparison, in this process from the sources (workers
// compiling TypeScript through tsx); peak RSS at the end. CUTOVER_BENCH_SKIP_LARGE=1 skips dc-1000x20000.
// The before/after pair of the PABFD index is bench/placement.bench.ts.
// The real PlanetLab days: the five detectors with MMT on each day, faithful and CloudSim-compatible (target ≤ 5 s
// each; wall and CPU time are printed, CPU being what counts on a shared machine). CUTOVER_BENCH_DAYS=N runs only
// the first N real days (default 10); CUTOVER_BENCH_DAYS=20110322,20110303 runs those days; CUTOVER_BENCH_ONLY=days
// runs the real days alone (nothing else of this suite). Each line is one policy on one day in one mode.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { runOnWorkers, sweepTasks } from '../cli/commands/sweep'
import { createDatacenter, BUILTIN_POLICY_NAMES, resolveCompat, validateScenario, type Scenario } from '../engine/index'
import { attachTracePack } from '../main/scenarios/trace-files'
import { report } from './support'

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url))

function scenarioText(name: string): string {
  return readFileSync(`${SCENARIOS}${name}.json`, 'utf8')
}

function scenario(name: string): Scenario {
  const result = validateScenario(attachTracePack(JSON.parse(scenarioText(name)), `${SCENARIOS}${name}.json`))
  if (!result.ok) throw new Error(result.errors.join('\n'))
  return result.scenario
}

/** Wall and CPU seconds (CPU is what counts on a shared machine: it leaves out waiting for a core). */
function timeRun(name: string, policy: string, target?: string): void {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const summary = createDatacenter({ scenario: scenario(name), seed: 1, policy }).run()
  const used = process.cpuUsage(cpu)
  const seconds = (performance.now() - start) / 1000
  const peakMiB = (process.resourceUsage().maxRSS / 1024).toFixed(0)
  report(`${name} 24 h, ${policy}`, `${seconds.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU  (${summary.migrations} migrations, ${summary.energyKWh.toFixed(0)} kWh, trace ${summary.traceHash}, peak RSS so far ${peakMiB} MiB)`, target)
}

const REAL_DAYS = ['20110303', '20110306', '20110309', '20110322', '20110325', '20110403', '20110409', '20110411', '20110412', '20110420']

/** CUTOVER_BENCH_DAYS: unset (all ten), a count (the first N) or a comma-separated list of days (YYYYMMDD). */
function selectedDays(setting: string | undefined): string[] {
  if (setting === undefined || setting === '') return REAL_DAYS
  if (/^\d{1,2}$/.test(setting)) {
    const count = Number(setting)
    if (count < 1 || count > REAL_DAYS.length) throw new Error(`CUTOVER_BENCH_DAYS: a count must be 1–${REAL_DAYS.length}, got ${setting}`)
    return REAL_DAYS.slice(0, count)
  }
  const days = setting.split(',').map((day) => day.trim())
  const unknown = days.filter((day) => !REAL_DAYS.includes(day))
  if (unknown.length > 0) throw new Error(`CUTOVER_BENCH_DAYS: unknown day ${unknown.join(', ')}; the days are ${REAL_DAYS.join(', ')}`)
  return days
}

function timeRealDays(): void {
  const days = selectedDays(process.env.CUTOVER_BENCH_DAYS)
  for (const day of days) {
    const dayScenario = scenario(`planetlab-${day}`)
    for (const detector of ['thr', 'iqr', 'mad', 'lr', 'lrr']) {
      for (const mode of ['faithful', 'cloudsim'] as const) {
        const start = performance.now()
        const cpu = process.cpuUsage()
        const summary = createDatacenter({ scenario: dayScenario, seed: 1, policy: `${detector}-mmt`, compat: resolveCompat(mode) }).run()
        const used = process.cpuUsage(cpu)
        const seconds = (performance.now() - start) / 1000
        report(`planetlab-${day} ${detector}-mmt ${mode}`, `${seconds.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU  (${summary.migrations} migrations, ${summary.energyKWh.toFixed(0)} kWh)`, '≤ 5 s')
      }
    }
  }
}

async function timeSweep(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const build = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`building the CLI failed: ${build.stderr}`)
  const cliStart = performance.now()
  const cli = spawnSync(process.execPath, ['bin/cutover.js', 'sweep', 'planetlab-like', '--policies', 'thr-mmt,drs', '--seeds', '1-4', '--workers', '2', '--json'],
    { cwd: root, encoding: 'utf8', timeout: 300_000 })
  const cliS = (performance.now() - cliStart) / 1000
  if (cli.status !== 0) throw new Error(`cutover sweep failed: ${cli.stderr}`)
  report('sweep planetlab-like, 2 policies × 4 seeds, 2 workers: cutover sweep', `${cliS.toFixed(1)} s (whole process, built CLI)`, '≤ 3 s')
  const tasks = sweepTasks(scenarioText('planetlab-like'), 'planetlab-like', ['thr-mmt', 'drs'], [1, 2, 3, 4], { policies: '', seeds: '', migrationModel: 'estimate' })
  const start = performance.now()
  await runOnWorkers(tasks, 2, [], () => {})
  const sourceS = (performance.now() - start) / 1000
  report('  the same in-process, workers from sources via tsx', `${sourceS.toFixed(1)} s (built CLI ${(sourceS / cliS).toFixed(1)}× faster)`)
}

export async function run(): Promise<void> {
  const only = process.env.CUTOVER_BENCH_ONLY
  if (only !== undefined && only !== '' && only !== 'days') throw new Error(`CUTOVER_BENCH_ONLY: only 'days' is known here, got '${only}'`)
  if (only === 'days') {
    timeRealDays()
    return
  }
  timeRun('dc-1000', 'thr-mmt', '≤ 60 s')
  timeRun('dc-1000', 'drs', '≤ 60 s')
  for (const policy of BUILTIN_POLICY_NAMES) timeRun('planetlab-800', policy, '≤ 3 s')
  if (process.env.CUTOVER_BENCH_SKIP_LARGE !== '1') timeRun('dc-1000x20000', 'mad-mmt', '≤ 30 s')
  timeRealDays()
  await timeSweep()
  report('peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`)
}
