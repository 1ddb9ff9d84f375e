// The engine worker: owns one world and answers the host's messages (see worker-handler.ts). All simulation
// work happens here, so the main process's event loop stays free; a crash here is reported and the host
// restarts the worker.
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import type { FromWorker, ToWorker } from './protocol'
import { createWorkerHandler } from './worker-handler'

/** Niceness of the engine thread (0 normal … 19 lowest). */
const ENGINE_THREAD_NICE = 10

if (parentPort === null) throw new Error('engine worker must run in a worker thread')
// The simulation is background work: on Linux, pid 0 names the calling thread only, so this lowers the engine
// thread alone and the window (and the main process) keep the CPU when a fast run would take it all. Elsewhere
// (macOS, Windows) it would lower the whole process, main thread included, so it is Linux only.
if (process.platform === 'linux') {
  try {
    setPriority(0, ENGINE_THREAD_NICE)
  } catch {
    // Not permitted in this sandbox: the engine runs at normal priority.
  }
}
const port = parentPort
const handle = createWorkerHandler((message: FromWorker) => port.postMessage(message))
port.on('message', (message: ToWorker) => handle(message))
