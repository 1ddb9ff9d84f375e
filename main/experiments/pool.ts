// The worker pool of the experiment pipeline: `workerCount` threads, each fed the next task as soon as it
// answers; results land at their task's position, so completion order never shows in the output.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { RunSummary } from '../../engine/index'
import { startTsWorker } from '../support/ts-worker'
import type { SweepTask } from './task'
import type { WorkerReply, WorkerRequest } from './sweep-worker'

/** The built bundle's entry (out/main/sweep-worker.js) when present, else the TypeScript source through tsx. */
function startWorker(plugins: readonly string[]): Worker {
  const built = new URL('./sweep-worker.js', import.meta.url)
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: { plugins } })
  return startTsWorker(new URL('./sweep-worker.ts', import.meta.url), { workerData: { plugins } })
}

/** Runs tasks on `workerCount` (≥ 1) worker threads; results in task order. The first failure stops the pool. */
export function runOnWorkers(tasks: readonly SweepTask[], workerCount: number, plugins: readonly string[], onDone: () => void): Promise<RunSummary[]> {
  const results = new Array<RunSummary>(tasks.length)
  const position = new Map(tasks.map((task, i) => [task.index, i]))
  let next = 0
  let finished = 0
  let settled = false
  return new Promise((resolveAll, rejectAll) => {
    const workers: Worker[] = []
    const stop = (error?: Error) => {
      if (settled) return
      settled = true
      for (const worker of workers) void worker.terminate()
      if (error) rejectAll(error)
      else resolveAll(results)
    }
    const feed = (worker: Worker) => {
      if (next < tasks.length) worker.postMessage({ kind: 'run', task: tasks[next++] } satisfies WorkerRequest)
    }
    for (let w = 0; w < Math.min(Math.max(1, workerCount), tasks.length); w++) {
      const worker = startWorker(plugins)
      workers.push(worker)
      worker.on('error', (error) => stop(error))
      worker.on('exit', (code) => { if (code !== 0) stop(new Error(`experiment worker exited with code ${code}`)) })
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'fatal') { stop(new Error(reply.message)); return }
        if (reply.kind === 'error') { stop(new Error(`run ${reply.index}: ${reply.message}`)); return }
        if (reply.kind === 'done') {
          results[position.get(reply.index) as number] = reply.summary
          finished++
          onDone()
          if (finished === tasks.length) { stop(); return }
        }
        feed(worker)
      })
    }
    if (tasks.length === 0) stop()
  })
}
