// Worker thread of `cutover sweep`: loads the plugins it was started with, then runs (policy, seed) tasks it is
// sent, one at a time, and posts each summary back. Pure engine work: results equal those of the main thread.
import { parentPort, workerData } from 'node:worker_threads'
import { registryWithPlugins, runSweepTask, type SweepTask } from './commands/run'

export type WorkerRequest = { readonly kind: 'run'; readonly task: SweepTask }
export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly index: number; readonly summary: ReturnType<typeof runSweepTask> }
  | { readonly kind: 'error'; readonly index: number; readonly message: string }

const port = parentPort
if (port === null) throw new Error('sweep-worker must run in a worker thread')
const registry = await registryWithPlugins((workerData as { plugins?: string[] } | undefined)?.plugins ?? [])
port.on('message', (request: WorkerRequest) => {
  try {
    port.postMessage({ kind: 'done', index: request.task.index, summary: runSweepTask(request.task, registry) } satisfies WorkerReply)
  } catch (error) {
    port.postMessage({ kind: 'error', index: request.task.index, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply)
  }
})
port.postMessage({ kind: 'ready' } satisfies WorkerReply)
