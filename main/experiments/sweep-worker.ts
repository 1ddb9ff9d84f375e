// Worker thread of the experiment pipeline: loads the plugins it was started with, then runs the (policy, seed)
// tasks it is sent, one at a time, and posts each summary back. Pure engine work: results equal the caller's.
import { parentPort, workerData } from 'node:worker_threads'
import { registryWithPlugins, runSweepTask, type SweepTask } from './task'
import type { RunSummary } from '../../engine/index'

export type WorkerRequest = { readonly kind: 'run'; readonly task: SweepTask }
export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly index: number; readonly summary: RunSummary }
  | { readonly kind: 'error'; readonly index: number; readonly message: string }
  | { readonly kind: 'fatal'; readonly message: string }

const port = parentPort
if (port === null) throw new Error('sweep-worker must run in a worker thread')
try {
  const registry = await registryWithPlugins((workerData as { plugins?: string[] } | undefined)?.plugins ?? [])
  port.on('message', (request: WorkerRequest) => {
    try {
      port.postMessage({ kind: 'done', index: request.task.index, summary: runSweepTask(request.task, registry) } satisfies WorkerReply)
    } catch (error) {
      port.postMessage({ kind: 'error', index: request.task.index, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply)
    }
  })
  port.postMessage({ kind: 'ready' } satisfies WorkerReply)
} catch (error) {
  port.postMessage({ kind: 'fatal', message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply)
}
