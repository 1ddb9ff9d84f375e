// Goal: the same seed and scenario give the same trace hash; snapshots are plain JSON.
// Method: a busy two-tier scenario (lossy link, jittered web clients, flows, faults, a migration with each
// cutover mode) run twice per seed; a different seed must change the hash.
import { describe, expect, test } from 'vitest'
import { msToUs, sToUs } from '../../../engine/kernel/index'
import { Lan, twoTierLan, type CutoverMode } from '../../../engine/net/index'
import { newSim } from './support'

function scenario(seed: number, mode: CutoverMode): { hash: string; snapshot: ReturnType<Lan['snapshot']>; events: number } {
  const sim = newSim(seed)
  const net = new Lan(sim, twoTierLan(2, 3, { clientsPerSwitch: 2, remoteClients: 1, vmMacPolicy: 'per-host' }))
  net.setLinkLoss('client-0000~tor-0000', 0.05)
  for (const [i, from] of ['client-0000', 'client-0001', 'client-0002', 'remote-0000'].entries()) {
    net.addRequestClient({ id: `web-${i}`, from, to: `vm-000${i}`, thinkUs: msToUs(3), thinkJitterUs: msToUs(7) })
  }
  net.addDatagramClient({ id: 'game', from: 'client-0003', to: 'vm-0000', periodUs: msToUs(2) })
  net.scheduleFaults([
    { kind: 'link-capacity', atUs: msToUs(300), linkId: 'tor-0001~agg', capacityMbitPerS: 500 },
    { kind: 'partition', atUs: msToUs(700), hostIds: ['host-0005'] },
    { kind: 'heal', atUs: msToUs(900) }
  ])
  sim.scheduleAt(msToUs(200), () => {
    net.startFlow({ from: 'host-0000', to: 'host-0004', bytes: 50_000_000, rateLimitBitPerS: 800e6, label: 'migration' })
    net.startFlow({ from: 'host-0001', to: 'host-0003', bytes: 20_000_000, label: 'backup' })
  })
  sim.scheduleAt(msToUs(600), () => net.setVmRunning('vm-0000', false))
  sim.scheduleAt(msToUs(650), () => net.activateVm('vm-0000', 'host-0004', { mode }))
  sim.runUntil(sToUs(2))
  return { hash: sim.traceHash(), snapshot: net.snapshot(), events: sim.emittedEvents }
}

describe('determinism', () => {
  test('the same seed and scenario give the same trace hash and snapshot', () => {
    for (const mode of ['gratuitous', 'rarp', 'directed', 'none'] as const) {
      const first = scenario(42, mode)
      const second = scenario(42, mode)
      expect(first.events).toBeGreaterThan(100)
      expect(second.hash).toBe(first.hash)
      expect(second.snapshot).toEqual(first.snapshot)
    }
  })

  test('another seed changes the hash', () => {
    expect(scenario(43, 'gratuitous').hash).not.toBe(scenario(42, 'gratuitous').hash)
  })

  test('a snapshot survives a JSON round trip unchanged', () => {
    const { snapshot } = scenario(42, 'gratuitous')
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
    expect(snapshot.links.length).toBe(14)
    expect(snapshot.switches.map((s) => s.id)).toEqual(['agg', 'tor-0000', 'tor-0001'])
    expect(snapshot.vms.find((vm) => vm.id === 'vm-0000')?.hostId).toBe('host-0004')
  })
})
