// The engine worker: owns one world and answers the host's messages. All simulation work happens here, so the
// main process's event loop stays free; a crash here is reported and the host restarts the worker.
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import { createWorld, type World } from '../../engine/index'
import type { FromWorker, ToWorker } from './protocol'

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
let world: World | undefined

function post(message: FromWorker): void {
  port.postMessage(message)
}

function handle(message: ToWorker): void {
  if (message.type === 'load') {
    world = createWorld(message.scenario, message.seed)
    post({ type: 'loaded', snapshot: world.snapshot() })
    return
  }
  if (world === undefined) {
    post({ type: 'failed', message: 'no scenario loaded' })
    return
  }
  switch (message.type) {
    case 'advance': {
      const errors = world.runUntil(message.toUs)
      const snapshot = message.wantSnapshot ? world.snapshot() : null
      post({
        type: 'advanced', nowUs: world.nowUs, traceHash: world.traceHash(), snapshotJson: snapshot === null ? null : JSON.stringify(snapshot),
        entities: snapshot === null ? 0 : snapshot.hosts.length + snapshot.vms.length, records: world.drainRecords(), errors
      })
      return
    }
    case 'command': {
      const result = world.apply(message.command)
      post({ type: 'command-result', id: message.id, ok: result.ok, detail: result.detail, snapshot: world.snapshot(), records: world.drainRecords() })
      return
    }
    case 'snapshot':
      post({ type: 'snapshot', id: message.id, snapshot: world.snapshot() })
      return
    case 'drop-verdicts':
      post({ type: 'drop-verdicts', id: message.id, verdicts: world.dropVerdicts(message.vmId) })
  }
}

port.on('message', (message: ToWorker) => {
  try {
    handle(message)
  } catch (error) {
    const id = message.type === 'command' || message.type === 'snapshot' || message.type === 'drop-verdicts' ? message.id : undefined
    post({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) })
  }
})
