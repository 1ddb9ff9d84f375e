// The interactive world's rack clients: on by default, they send requests to a VM of their rack, so the
// network view has latency, switches learn MAC addresses, and a migration of a client's VM reports the outage
// the client saw (measured), while a VM without clients reports none (null, "not measured").
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { createWorld } from '../../../engine/index'

let gapSeen = false
const scenario = JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')) as Record<string, unknown>

function migrateAndSettle(world: ReturnType<typeof createWorld>, vmId: string, strategy: 'precopy-qemu' | 'stop-and-copy' = 'precopy-qemu'): NonNullable<ReturnType<typeof world.snapshot>['migrations'][number]> {
  const snapshot = world.snapshot()
  const vm = snapshot.vms.find((candidate) => candidate.id === vmId)
  const destination = snapshot.hosts.find((host) => host.id !== vm?.hostId && host.power === 'on' && host.memMiB - host.memUsedMiB > (vm?.memMiB ?? 0) + 1024)
  expect(destination).toBeDefined()
  const outcome = world.apply({ kind: 'migrate', vmId, destination: destination?.id ?? '', strategy, parameters: strategy === 'precopy-qemu' ? { maxBandwidthMbitPerS: 10_000 } : {} })
  expect(outcome.ok).toBe(true)
  for (let i = 0; i < 600; i++) {
    world.runUntil(world.nowUs + 1_000_000)
    const live = world.snapshot().migrations.find((m) => m.vmId === vmId && m.outcome === null)
    if (live !== undefined && live.stage === 'stop-and-copy') gapSeen ||= world.snapshot().clients.some((c) => c.targetVmId === vmId && c.lastLatencyMs === null)
    const done = world.snapshot().migrations.find((m) => m.vmId === vmId && m.outcome !== null)
    if (done !== undefined) { world.runUntil(world.nowUs + 2_000_000); return world.snapshot().migrations.find((m) => m.id === done.id) ?? done }
  }
  throw new Error(`the migration of ${vmId} did not finish`)
}

describe('rack clients in the interactive world', () => {
  it('measure latency, teach the switches and see the cutover gap', () => {
    const world = createWorld(scenario, 1)
    world.runUntil(5_000_000)
    const snapshot = world.snapshot()
    expect(snapshot.clients.length).toBeGreaterThan(0)
    expect(snapshot.clients.every((client) => client.lastLatencyMs !== null && client.lastLatencyMs > 0)).toBe(true)
    expect(snapshot.switches.reduce((sum, sw) => sum + sw.entries.length, 0)).toBeGreaterThan(0)
    const target = snapshot.clients[0]?.targetVmId ?? ''
    // Stop-and-copy: the VM is paused for seconds, so the client's silence is unmistakable.
    const migration = migrateAndSettle(world, target, 'stop-and-copy')
    expect(migration.outcome).toBe('completed')
    expect(migration.clientOutageMs).not.toBeNull()
    expect(migration.clientOutageMs ?? 0).toBeGreaterThan(0)
    // The gap spans at least the VM's downtime: the client cannot be answered while the VM is paused.
    expect(migration.clientOutageMs ?? 0).toBeGreaterThanOrEqual(migration.downtimeMs ?? Infinity)
    // While the VM was paused the client's latency was a gap (null) in the snapshot, which the chart draws as one.
    expect(gapSeen).toBe(true)
  })

  it('reports no outage for a VM no client talks to, and no clients when the scenario turns them off', () => {
    const world = createWorld(scenario, 1)
    world.runUntil(1_000_000)
    const targets = new Set(world.snapshot().clients.map((client) => client.targetVmId))
    const quiet = world.snapshot().vms.find((vm) => !targets.has(vm.id) && vm.state === 'running')
    expect(quiet).toBeDefined()
    expect(migrateAndSettle(world, quiet?.id ?? '').clientOutageMs).toBeNull()
    const off = createWorld({ ...scenario, clients: { enabled: false } }, 1)
    off.runUntil(2_000_000)
    expect(off.snapshot().clients.every((client) => client.lastLatencyMs === null)).toBe(true)
  })
})
