// The engine host under Node with a real worker thread: commands drive the world, the pacer's speed and pause
// are honoured (a fake wall clock), and a killed worker is reported, restarted and replayed to the same state.
import { describe, it, expect, afterEach } from 'vitest'
import { readFileSync } from 'node:fs'
import { EngineHost } from '../../main/engine-host/engine-host'
import type { WorldSnapshot } from '../../engine/api/snapshot'

const scenario = JSON.parse(readFileSync('scenarios/two-hosts.json', 'utf8')) as unknown
let host: EngineHost | undefined
afterEach(() => { host?.dispose(); host = undefined })

function fakeClock() {
  let nowMs = 0
  return { clock: { nowMs: () => nowMs }, advance: (ms: number) => { nowMs += ms } }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('engine host', () => {
  it('loads a scenario in the worker and applies commands in order', async () => {
    host = new EngineHost({ autoFrames: false })
    const first = await host.load(scenario, 1)
    expect(first.hosts).toHaveLength(2)
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    expect(vm).toBeDefined()
    const accepted = await host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy-qemu' })
    expect(accepted.ok).toBe(true)
    const refused = await host.command({ kind: 'migrate', vmId: 'vm-9999', destination: first.hosts[1].id, strategy: 'precopy' })
    expect(refused).toEqual({ ok: false, detail: 'unknown VM vm-9999' })
    await host.step(120_000_000)
    const moved = host.snapshot?.vms.find((candidate) => candidate.id === vm?.id)
    expect(moved?.hostId).toBe(first.hosts[1].id)
    expect(host.snapshot?.migrations.some((migration) => migration.vmId === vm?.id && migration.outcome === 'completed')).toBe(true)
  })

  it('advances virtual time as the pacer says and not while paused', async () => {
    const { clock, advance } = fakeClock()
    host = new EngineHost({ autoFrames: false, clock })
    await host.load(scenario, 1)
    host.pacer.setSpeed(100)
    host.pacer.play()
    advance(50)
    host.frame()
    await until(() => host?.status().nowUs === 5_000_000, 'the first frame')
    host.pacer.pause()
    advance(1000)
    host.frame()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(host.status().nowUs).toBe(5_000_000)
  })

  it('after a pause, settle() waits for the advance in flight, so the status it then reports is final', async () => {
    const { clock, advance } = fakeClock()
    const pushed: number[] = []
    host = new EngineHost({ autoFrames: false, clock, onStatus: (status) => pushed.push(status.nowUs) })
    await host.load(scenario, 1)
    host.pacer.setSpeed(1000)
    host.pacer.play()
    advance(100)
    host.frame()
    host.pacer.pause()
    const statusBeforeSettle = host.status().nowUs
    await host.settle()
    const settled = host.status().nowUs
    // The frame asked for 100 s of virtual time; it had not landed at pause, it has once settled.
    expect(statusBeforeSettle).toBe(0)
    expect(settled).toBe(100_000_000)
    expect(pushed.at(-1)).toBe(settled)
    advance(1000)
    host.frame()
    await host.settle()
    expect(host.status().nowUs).toBe(settled)
  })

  it('spaces snapshot pushes so their text stays within the byte budget; status still comes every frame', async () => {
    const { clock, advance } = fakeClock()
    const pushedBytes: number[] = []
    let statuses = 0
    host = new EngineHost({
      autoFrames: false, clock, snapshotBytesPerSMax: 2_000,
      onSnapshotJson: (json) => pushedBytes.push(json.length), onStatus: () => { statuses++ }
    })
    await host.load(scenario, 1)
    host.pacer.setSpeed(10)
    host.pacer.play()
    for (let frame = 0; frame < 100; frame++) {
      advance(100)
      const before = host.status().nowUs
      host.frame()
      await until(() => host?.status().nowUs !== before, `frame ${frame}`)
    }
    // 100 frames of 100 ms = 10 s of wall time at ≤ 2,000 B/s: the pushes' text adds up to about 20 kB.
    const sizeBytes = pushedBytes[0]
    expect(sizeBytes).toBeGreaterThan(2_000)
    expect(pushedBytes.length).toBeGreaterThanOrEqual(2)
    expect(pushedBytes.reduce((sum, bytes) => sum + bytes, 0)).toBeLessThanOrEqual(10 * 2_000 + 2 * sizeBytes)
    expect(statuses).toBeGreaterThanOrEqual(100)
  })

  it('reports a crashed worker, restarts it and replays to the same state', async () => {
    const errors: string[] = []
    const snapshots: WorldSnapshot[] = []
    host = new EngineHost({ autoFrames: false, onError: (message) => errors.push(message), onSnapshot: (snapshot) => snapshots.push(snapshot) })
    const first = await host.load(scenario, 1)
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    await host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy' })
    await host.step(30_000_000)
    const before = host.snapshot
    await host.crashWorkerForTest()
    await until(() => errors.some((message) => message.includes('crashed')), 'the crash report')
    await until(() => host?.restartCount === 1 && host.snapshot?.nowUs === before?.nowUs && snapshots.length > 3, 'the replay')
    expect(host.snapshot?.traceHash).toBe(before?.traceHash)
    expect(host.snapshot?.vms).toEqual(before?.vms)
  })
})
