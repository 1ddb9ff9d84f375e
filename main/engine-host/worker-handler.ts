// What the engine worker does with each message, apart from the thread wiring (so tests can drive it and
// wrap the world). It owns one world; a load builds the new world first and replaces the old one only once
// it exists, so a refused scenario leaves the running world untouched. Every answer echoes the request id.
import { createWorld, type World } from '../../engine/index'
import type { FromWorker, ToWorker } from './protocol'

type Snapshot = ReturnType<World['snapshot']>

/** A snapshot as it crosses to the host: JSON text, and its entity count (the host paces pushes by it). */
function asText(snapshot: Snapshot): { snapshotJson: string; entities: number } {
  return { snapshotJson: JSON.stringify(snapshot), entities: snapshot.hosts.length + snapshot.vms.length }
}

export type WorldFactory = (scenario: unknown, seed: number) => World

/** Wall milliseconds; the handler times its own advances so the host can pace by work, not by snapshots. */
export type WallClockMs = () => number

export function createWorkerHandler(post: (message: FromWorker) => void, build: WorldFactory = createWorld, wallMs: WallClockMs = () => performance.now()): (message: ToWorker) => void {
  let world: World | undefined

  function handle(message: ToWorker): void {
    if (message.type === 'load') {
      const next = build(message.scenario, message.seed)
      world = next
      post({ type: 'loaded', id: message.id, snapshot: next.snapshot() })
      return
    }
    if (world === undefined) {
      post({ type: 'failed', id: message.id, message: 'no scenario loaded' })
      return
    }
    switch (message.type) {
      case 'advance': {
        const startedMs = wallMs()
        const errors = world.runUntil(message.toUs)
        const workMs = wallMs() - startedMs
        const snapshot = message.wantSnapshot ? world.snapshot() : null
        post({
          type: 'advanced', id: message.id, nowUs: world.nowUs, workMs, traceHash: world.traceHash(), ...(snapshot === null ? { snapshotJson: null, entities: 0 } : asText(snapshot)),
          records: world.drainRecords(), errors, halted: world.halted?.reason ?? null
        })
        return
      }
      case 'command': {
        const result = world.apply(message.command)
        const snapshot = message.wantSnapshot ? world.snapshot() : null
        post({
          type: 'command-result', id: message.id, ok: result.ok, detail: result.detail, nowUs: world.nowUs, traceHash: world.traceHash(), ...(snapshot === null ? { snapshotJson: null, entities: 0 } : asText(snapshot)),
          records: world.drainRecords(), halted: world.halted?.reason ?? null
        })
        return
      }
      case 'snapshot':
        post({ type: 'snapshot', id: message.id, snapshot: world.snapshot() })
        return
      case 'drop-verdicts':
        post({ type: 'drop-verdicts', id: message.id, verdicts: world.dropVerdicts(message.vmId) })
        return
      case 'migration-estimate': {
        const answer = world.estimateMigration(message.request)
        post(typeof answer === 'string' ? { type: 'migration-estimate', id: message.id, estimate: null, refusal: answer } : { type: 'migration-estimate', id: message.id, estimate: answer, refusal: null })
      }
    }
  }

  return (message) => {
    try {
      handle(message)
    } catch (error) {
      post({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) })
    }
  }
}
