// The one experiment pipeline: plan → run on a worker pool (or the calling thread) → canonical order. Used by
// `cutover sweep` and by the app's 'experiment:run'; both then summarise with ./summary, so the same runs give
// the same means and intervals in the terminal and in the Experiments view.
import type { PolicyRegistry, RunSummary } from '../../engine/index'
import { runOnWorkers } from './pool'
import { orderRuns } from './summary'
import { registryWithPlugins, runSweepTask, type SweepTask } from './task'

export interface SweepRunOptions {
  /** Worker threads; 0 runs every task on the calling thread (blocking it). */
  readonly workers: number
  readonly plugins?: readonly string[]
  /** Registry for the calling-thread path (default: built-ins plus `plugins`). */
  readonly registry?: PolicyRegistry
  /** Called after each finished run with the count so far. */
  readonly onProgress?: (done: number, total: number) => void
  /** Policy order of the output (default: first appearance in the tasks). */
  readonly policyOrder?: readonly string[]
}

export async function runSweep(tasks: readonly SweepTask[], options: SweepRunOptions): Promise<RunSummary[]> {
  let done = 0
  const tick = () => { done++; options.onProgress?.(done, tasks.length) }
  let runs: RunSummary[]
  if (options.workers === 0) {
    const registry = options.registry ?? await registryWithPlugins(options.plugins ?? [])
    runs = tasks.map((task) => { const summary = runSweepTask(task, registry); tick(); return summary })
  } else {
    runs = await runOnWorkers(tasks, options.workers, options.plugins ?? [], tick)
  }
  return orderRuns(runs, options.policyOrder ?? [...new Set(tasks.map((task) => task.policy))])
}
