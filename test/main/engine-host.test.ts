// The engine host under Node with a real worker thread: commands drive the world, the pacer's speed and pause
// are honoured (a fake wall clock), a killed worker is reported, restarted and replayed to the same state
// without recording anything twice, a refused load keeps the previous world, every request settles, and a
// world that breaks an invariant is halted and reported while the host keeps serving.
import { describe, it, expect, afterEach } from 'vitest'
import { readFileSync } from 'node:fs'
import { EngineHost } from '../../main/engine-host/engine-host'
import { startTsWorker } from '../../main/support/ts-worker'
import type { WorldRecord } from '../../engine/api/records'
import type { WorldSnapshot } from '../../engine/api/snapshot'
import { INJECTED_VIOLATION } from './fixtures/inject-violation'
import { PROBE_US } from '../../main/engine-host/advance-pace'

const scenario = JSON.parse(readFileSync('scenarios/two-hosts.json', 'utf8')) as unknown
let host: EngineHost | undefined
afterEach(() => { host?.dispose(); host = undefined })

const smallCluster = JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')) as unknown

/** Fails the test (instead of hanging it) when a request never settles. */
function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} never settled`)), ms) })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

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

  it('answers a command first and pushes the state after it right behind, as text showing the command', async () => {
    const order: string[] = []
    let pushed: WorldSnapshot | undefined
    host = new EngineHost({ autoFrames: false, onSnapshotJson: (json) => { order.push('push'); pushed = JSON.parse(json) as WorldSnapshot } })
    const first = await host.load(scenario, 1)
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    const answer = await host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy-qemu' })
    order.push('answer')
    expect(answer.ok).toBe(true)
    await until(() => order.length === 2, 'the push after the command')
    expect(order).toEqual(['answer', 'push'])
    expect(pushed?.vms.find((candidate) => candidate.id === vm?.id)?.state).toBe('migrating')
    expect(pushed?.migrations.some((migration) => migration.vmId === vm?.id && migration.outcome === null)).toBe(true)
    expect(host.snapshot).toEqual(pushed)
  })

  it('playing, shows a command already running: the answer carries no state, a short advance right behind it does', async () => {
    // A dropped VM's migration is in its reservation at the command's instant; its first round starts within
    // microseconds. The state pushed after the answer is from a probe advance, so it shows that round in flight.
    const { clock, advance } = fakeClock()
    const order: string[] = []
    const pushed: WorldSnapshot[] = []
    host = new EngineHost({ autoFrames: false, clock, onSnapshotJson: (json) => { order.push('push'); pushed.push(JSON.parse(json) as WorldSnapshot) } })
    const first = await host.load(scenario, 1)
    host.pacer.setSpeed(100)
    host.pacer.play()
    advance(10)
    host.frame()
    await host.settle()
    order.length = 0
    pushed.length = 0
    const atUs = host.status().nowUs
    advance(50) // 5 s of virtual time are due: the probe covers PROBE_US of it
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    const answer = await host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy-qemu' })
    order.push('answer')
    expect(answer.ok).toBe(true)
    await until(() => pushed.length === 1, 'the state after the command')
    expect(order).toEqual(['answer', 'push'])
    const migration = pushed[0].migrations.find((m) => m.vmId === vm?.id)
    expect(migration?.stage).toBe('precopy')
    expect(migration?.currentRound?.index).toBe(1)
    expect(pushed[0].nowUs).toBe(atUs + PROBE_US)
    expect(host.status().nowUs).toBe(atUs + PROBE_US)
  })

  it('after a command, playback does not stay at probe speed when every frame carries a snapshot (the worker times its own work)', async () => {
    const { clock, advance } = fakeClock()
    host = new EngineHost({ autoFrames: false, clock })
    const first = await host.load(scenario, 1)
    host.pacer.setSpeed(100)
    host.pacer.play()
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    advance(50) // virtual time is due, so the command is followed by a probe advance
    expect((await host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy-qemu' })).ok).toBe(true)
    await until(() => host?.pendingCount === 0 && (host?.status().nowUs ?? 0) > 0, 'the probe after the command')
    const atUs = host.status().nowUs
    // 33 ms frames: each one is due a snapshot and 3.3 s of virtual time. Stuck probing, ten frames move 0.1 s.
    for (let i = 0; i < 10; i++) {
      advance(33)
      host.frame()
      await host.settle()
    }
    expect(host.status().nowUs - atUs).toBeGreaterThan(100 * PROBE_US)
  })

  it('sends no frame while a command waits: an advance queued behind it would be sized by the pace from before it', async () => {
    const { clock, advance } = fakeClock()
    host = new EngineHost({ autoFrames: false, clock })
    const first = await host.load(scenario, 1)
    host.pacer.setSpeed(100)
    host.pacer.play()
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    const answer = host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy-qemu' })
    // Checked every turn of the event loop: the answer can come back within one 25 ms poll of until().
    for (let i = 0; i < 10_000 && host.pendingCount !== 1; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(host.pendingCount).toBe(1)
    advance(1000)
    host.frame() // while the command is in the worker: nothing is sent
    expect(host.pendingCount).toBe(1)
    await answer
    await until(() => host?.pendingCount === 0 && (host?.status().nowUs ?? 0) > 0, 'the probe after the command')
    expect(host.status().nowUs).toBe(PROBE_US)
  })

  it('keeps paced advances short once the worker\'s pace is known, so a command does not wait behind a long one', async () => {
    // A wall clock that runs 20× faster than real time: the worker looks slow, as on a busy machine.
    const started = performance.now()
    const clock = { nowMs: () => 20 * (performance.now() - started) }
    const advanced: number[] = []
    host = new EngineHost({ autoFrames: false, clock, snapshotBytesPerSMax: 1, onStatus: (status) => advanced.push(status.nowUs) })
    await host.load(smallCluster, 1)
    host.pacer.setSpeed(10_000)
    host.pacer.play()
    for (let frame = 0; frame < 8; frame++) {
      host.frame()
      await host.settle()
    }
    const steps = advanced.slice(1).map((nowUs, i) => nowUs - advanced[i]).filter((us) => us > 0)
    // Unlimited, one frame would be a second of (fake) wall time at ×10,000: 10,000 s of virtual time.
    expect(steps.length).toBeGreaterThan(3)
    expect(Math.min(...steps.slice(2))).toBeLessThan(10_000_000_000)
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

  it('reports a crashed worker, restarts it and replays to the same state without recording anything twice', async () => {
    const errors: string[] = []
    const snapshots: WorldSnapshot[] = []
    const recorded: WorldRecord[] = []
    host = new EngineHost({
      autoFrames: false, onError: (message) => errors.push(message), onSnapshot: (snapshot) => snapshots.push(snapshot),
      onRecords: (records) => recorded.push(...records)
    })
    const first = await host.load(scenario, 1)
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    await host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy-qemu' })
    await host.step(120_000_000)
    const before = host.snapshot
    const recordedBefore = JSON.stringify(recorded)
    expect(recorded.some((record) => record.kind === 'migration')).toBe(true)
    const snapshotsBefore = snapshots.length
    await host.crashWorkerForTest()
    await until(() => errors.some((message) => message.includes('crashed')), 'the crash report')
    await until(() => host?.restartCount === 1 && snapshots.length > snapshotsBefore, 'the replay')
    expect(host.snapshot?.nowUs).toBe(before?.nowUs)
    expect(host.snapshot?.traceHash).toBe(before?.traceHash)
    expect(host.snapshot?.vms).toEqual(before?.vms)
    // The replay re-created the migration and the user's command, and handed none of it to the history again;
    // the UI got the restored state once (not a flash back to time 0).
    expect(JSON.stringify(recorded)).toBe(recordedBefore)
    expect(snapshots.slice(snapshotsBefore).map((snapshot) => snapshot.nowUs)).toEqual([before?.nowUs])
    expect(host.pendingCount).toBe(0)
    // Going on from there records only what is new.
    await host.command({ kind: 'fail-host', hostId: first.hosts[1].id })
    const failAudits = recorded.filter((record) => record.kind === 'audit' && record.audit.action === 'fail-host')
    expect(failAudits).toHaveLength(1)
  })

  it('keeps the previous world running when a load is refused, and still answers every later request', async () => {
    host = new EngineHost({ autoFrames: false })
    const first = await host.load(scenario, 1)
    await host.step(5_000_000)
    await expect(host.load({ name: 'broken', hosts: 'none' }, 1)).rejects.toThrow(/invalid scenario/)
    expect(host.hasWorld).toBe(true)
    const status = host.status()
    expect(status.nowUs).toBe(5_000_000)
    const vm = first.vms.find((candidate) => candidate.hostId === first.hosts[0].id)
    const accepted = await settlesWithin(host.command({ kind: 'migrate', vmId: vm?.id ?? '', destination: first.hosts[1].id, strategy: 'precopy' }), 10_000, 'a command after a failed load')
    expect(accepted.ok).toBe(true)
    await settlesWithin(host.step(1_000_000), 10_000, 'a step after a failed load')
    expect(host.status().nowUs).toBe(6_000_000)
    expect(host.snapshot?.scenario).toBe(first.scenario)
    expect(host.pendingCount).toBe(0)
  })

  it('answers a command after each of many failed loads and leaves no request pending', async () => {
    host = new EngineHost({ autoFrames: false })
    const first = await host.load(scenario, 1)
    const hostId = first.hosts[0].id
    for (let i = 0; i < 200; i++) {
      await expect(host.load({ name: `broken-${i}` }, 1)).rejects.toThrow(/invalid scenario/)
      const answer = await settlesWithin(host.command({ kind: 'repair-host', hostId }), 10_000, `command ${i}`)
      expect(answer).toEqual({ ok: false, detail: `${hostId} has not failed (it is on)` })
    }
    expect(host.pendingCount).toBe(0)
  })

  it('a load during an in-flight advance does not stall play, step or settle', async () => {
    const { clock, advance } = fakeClock()
    host = new EngineHost({ autoFrames: false, clock })
    await host.load(smallCluster, 1)
    host.pacer.setSpeed(10)
    host.pacer.play()
    advance(1_000)
    host.frame() // an advance of 10 s of virtual time is now in flight
    const loading = host.load(scenario, 2)
    await settlesWithin(host.settle(), 20_000, 'settle')
    const second = await settlesWithin(loading, 20_000, 'the load')
    expect(second.seed).toBe(2)
    expect(host.status()).toMatchObject({ nowUs: 0, playing: false })
    await settlesWithin(host.step(2_000_000), 10_000, 'a step after the load')
    expect(host.status().nowUs).toBe(2_000_000)
    host.pacer.play()
    advance(100)
    host.frame()
    await settlesWithin(host.settle(), 10_000, 'a frame after the load')
    expect(host.status().nowUs).toBe(3_000_000)
    expect(host.pendingCount).toBe(0)
  })

  it('settles requests still waiting when the host is disposed', async () => {
    host = new EngineHost({ autoFrames: false })
    await host.load(smallCluster, 1)
    const stepping = host.step(3_600_000_000)
    const commanding = host.command({ kind: 'repair-host', hostId: 'host-1' })
    host.dispose()
    await settlesWithin(stepping, 5_000, 'the step')
    expect(await settlesWithin(commanding, 5_000, 'the command')).toEqual({ ok: false, detail: 'engine host stopped' })
    expect(host.pendingCount).toBe(0)
  })

  it('halts a world that breaks an invariant, reports it to the UI and the history, and keeps serving', async () => {
    const errors: string[] = []
    const recorded: WorldRecord[] = []
    const { clock, advance } = fakeClock()
    host = new EngineHost({
      autoFrames: false, clock, onError: (message) => errors.push(message), onRecords: (records) => recorded.push(...records),
      workerFactory: () => startTsWorker(new URL('./fixtures/violating-worker.ts', import.meta.url), { workerData: { atUs: 10_000_000 } })
    })
    const first = await host.load(scenario, 1)
    host.pacer.setSpeed(100)
    host.pacer.play()
    advance(200) // 20 s of virtual time are due: the world breaks at 10 s
    host.frame()
    await host.settle()
    expect(host.status()).toMatchObject({ nowUs: 10_000_000, playing: false, halted: `InvariantViolation: ${INJECTED_VIOLATION}` })
    expect(errors.filter((message) => message.includes('halted'))).toHaveLength(1)
    expect(errors.find((message) => message.includes('halted'))).toContain(INJECTED_VIOLATION)
    expect(recorded.filter((record) => record.kind === 'audit' && record.audit.action === 'world.halted')).toHaveLength(1)
    // Frozen: no frame or step moves it; commands are refused with the reason; the host still answers.
    host.pacer.play()
    advance(1_000)
    host.frame()
    await host.step(5_000_000)
    expect(host.status().nowUs).toBe(10_000_000)
    const refused = await host.command({ kind: 'fail-host', hostId: first.hosts[0].id })
    expect(refused.ok).toBe(false)
    expect(refused.detail).toContain('halted')
    expect(host.restartCount).toBe(0)
    // A fresh load clears the halt.
    await host.load(scenario, 1)
    expect(host.status().halted).toBeNull()
    await host.step(1_000_000)
    expect(host.status().nowUs).toBe(1_000_000)
  })
})
