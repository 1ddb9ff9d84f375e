// Goal: one experiment pipeline. For the same runs, the app's 'experiment:run' (what the Experiments view
// shows) and `cutover sweep` report identical runs, means, 95 % CIs and cell texts; worker threads give the
// calling thread's results in canonical order; the app streams progress from the pipeline.
// Method: the real app services (browser mode, no initial scenario) against the real CLI binary.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../main/app-services'
import type { ExperimentResult } from '../../main/ipc/contract'
import { runSweep } from '../../main/experiments/pipeline'
import { compareRuns, formatMeanCi, printSummaryTable, summarize, type SweepDocument } from '../../main/experiments/summary'
import { planTasks } from '../../main/experiments/task'
import { NUMERIC_SUMMARY_FIELDS } from '../../engine/metrics/summary'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const POLICIES = ['thr-mmt', 'drs']
const SEEDS = [3, 1, 2]

describe('experiment pipeline', () => {
  let services: AppServices
  let app: ExperimentResult
  const progress: { done: number; total: number }[] = []
  let cli: SweepDocument
  let cliTable: string

  beforeAll(async () => {
    services = createAppServices({ mode: 'browser', initialScenario: null, log: () => {} })
    services.connectPushes({ push: (channel, payload) => { if (channel === 'experiment:progress') progress.push(payload as { done: number; total: number }) }, pushJson: () => {} })
    const answer = await services.dispatch('experiment:run', { scenario: 'two-hosts', policies: POLICIES, seeds: SEEDS, hours: 1 })
    if (!answer.ok) throw new Error(answer.error.message)
    app = answer.value as ExperimentResult
    const run = (json: boolean) => spawnSync(process.execPath, ['bin/cutover.js', 'sweep', 'two-hosts', '--policies', POLICIES.join(','), '--seeds', '1-3', '--hours', '1', '--workers', '2', ...(json ? ['--json'] : [])],
      { cwd: ROOT, encoding: 'utf8', timeout: 180_000 })
    const jsonRun = run(true)
    expect(jsonRun.status, jsonRun.stderr).toBe(0)
    cli = JSON.parse(jsonRun.stdout) as SweepDocument
    cliTable = run(false).stdout
  })
  afterAll(() => services?.dispose())

  it('gives the app the same runs, in (policy as asked, seed) order, as `cutover sweep`', () => {
    expect(app.runs.map((r) => `${r.policy}/${r.seed}`)).toEqual(['thr-mmt/1', 'thr-mmt/2', 'thr-mmt/3', 'drs/1', 'drs/2', 'drs/3'])
    expect(app.runs).toEqual(cli.runs)
  })

  it('shows identical means and CIs in the Experiments comparison and the CLI summary, and the same text', () => {
    expect(app.comparison.map((row) => row.metric)).toEqual([...NUMERIC_SUMMARY_FIELDS])
    let distinctCis = 0
    for (const row of app.comparison) {
      for (const cell of row.byPolicy) {
        const fromCli = cli.summary[cell.policy][row.metric]
        // JSON carries "not measured" (NaN) as null.
        const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x)
        expect({ mean: orNull(cell.summary.mean), ci95: orNull(cell.summary.ci95), n: cell.summary.n }).toEqual(fromCli)
        expect(cell.text).toBe(formatMeanCi(cell.summary))
        if (cell.summary.ci95 > 0) distinctCis++
      }
    }
    expect(distinctCis).toBeGreaterThan(0)
    const energy = app.comparison.find((row) => row.metric === 'energyKWh')?.byPolicy.map((cell) => cell.text) ?? []
    expect(cliTable).toContain(`energyKWh`)
    const energyLine = cliTable.split('\n').find((line) => line.startsWith('energyKWh')) ?? ''
    for (const text of energy) expect(energyLine).toContain(text)
  })

  it('streams progress from the pipeline up to the total', () => {
    expect(progress.at(-1)).toEqual({ done: 6, total: 6 })
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('runs the same on worker threads as on the calling thread', async () => {
    const text = readFileSync(`${ROOT}/scenarios/two-hosts.json`, 'utf8')
    const tasks = planTasks(text, 'two-hosts', ['drs'], [1, 2], { hours: 1 })
    const serial = await runSweep(tasks, { workers: 0 })
    expect(await runSweep([...tasks].reverse(), { workers: 2, policyOrder: ['drs'] })).toEqual(serial)
    const lines: string[] = []
    printSummaryTable(summarize(serial), (line) => lines.push(line))
    const row = compareRuns(serial).find((r) => r.metric === 'energyKWh')
    expect(lines.find((line) => line.startsWith('energyKWh'))).toContain(row?.byPolicy[0].text)
  })
})
