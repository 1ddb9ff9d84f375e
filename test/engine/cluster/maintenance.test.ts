// Goal: the maintenance drill ends with every VM running and none lost; evacuations start their moves in
// increasing WWS order, never exceed the per-host cap, finish before the deadline, and the host returns.
// Method: run the `maintenance-evacuation` preset, check the event trace and the final state.
import { describe, expect, it } from 'vitest'
import { createDatacenter } from '../../../engine/index'
import { invariantProblems, ofKind, preset, runRecorded, tinyScenario } from './support'

describe('maintenance evacuation', () => {
  const problems: string[] = []
  const run = runRecorded({ scenario: preset('maintenance-evacuation'), seed: 1 }, (event, dc) => {
    if (event.kind.startsWith('migration.') || event.kind.startsWith('maintenance.')) problems.push(...invariantProblems(dc.inspectState()))
  })

  it('ends with every VM running, none lost, and both hosts evacuated', () => {
    const state = run.dc.inspectState()
    expect(state.vms.filter((vm) => vm.status !== 'running' || vm.hostIndex < 0)).toEqual([])
    expect(run.summary.evacuations).toBe(2)
    expect(run.summary.failedMigrations).toBe(0)
    expect(state.hosts[1].state).toBe('maintenance')
    expect(state.hosts[1].vmIndices).toEqual([])
    expect(problems).toEqual([])
  })

  it('starts the moves off a host in increasing order of writable working set', () => {
    const started = ofKind(run.events, 'maintenance.started')
    expect(started.map((e) => e.hostId)).toEqual(['host-0001', 'host-0002'])
    for (const evacuation of started) {
      const order = evacuation.order.split(',')
      const moves = ofKind(run.events, 'migration.started').filter((e) => e.cause === 'maintenance' && e.sourceHostId === evacuation.hostId && e.atUs >= evacuation.atUs)
      expect(moves.slice(0, order.length).map((e) => e.vmId)).toEqual(order)
      const state = run.dc.inspectState()
      const wws = order.map((id) => state.vms.find((vm) => vm.id === id)?.wwsMiB ?? -1)
      expect(wws).toEqual([...wws].sort((a, b) => a - b))
    }
  })

  it('never runs more than the per-host cap of migrations on the evacuated host', () => {
    let active = 0
    let peak = 0
    const touching = new Set<string>()
    for (const event of run.events) {
      if (event.kind === 'migration.started' && (event.sourceHostId === 'host-0001' || event.targetHostId === 'host-0001')) {
        touching.add(event.migrationId); active++; peak = Math.max(peak, active)
      }
      if (event.kind === 'migration.ended' && touching.delete(event.migrationId)) active--
    }
    expect(peak).toBe(2)
  })

  it('meets the deadline, leaves maintenance at 3 h and takes its VMs back', () => {
    const completed = ofKind(run.events, 'maintenance.completed')
    expect(completed.every((e) => e.metDeadline)).toBe(true)
    expect(ofKind(run.events, 'maintenance.deadlineMissed')).toEqual([])
    const exited = ofKind(run.events, 'maintenance.exited')
    expect(exited.map((e) => [e.hostId, e.atUs])).toEqual([['host-0001', 3 * 3600e6]])
    const state = run.dc.inspectState()
    expect(state.hosts[0].state).toBe('on')
    expect(state.hosts[0].vmIndices.length).toBeGreaterThan(0)
  })

  it('reports a missed deadline when there is no room, and keeps every VM running', () => {
    const scenario = tinyScenario({ maintenance: [{ host: 'host-0001', atH: 0.1, deadlineMin: 10 }] }, 2, 14, 0.1)
    const crowded = runRecorded({ scenario, seed: 1 })
    expect(ofKind(crowded.events, 'maintenance.deadlineMissed')).toHaveLength(1)
    expect(crowded.dc.inspectState().vms.every((vm) => vm.status === 'running')).toBe(true)
  })
})

describe('exit maintenance on command', () => {
  it('stops a drain in progress and returns a held host to service', () => {
    const dc = createDatacenter({ scenario: tinyScenario({}, 4, 8), seed: 1, policy: 'none' })
    const host = 'host-0001'
    const state = (): { state: string; drain: string; vms: number } => {
      const h = dc.inspectState().hosts.find((candidate) => candidate.id === host)
      return { state: h?.state ?? '?', drain: h?.drain ?? '?', vms: h?.vmIndices.length ?? -1 }
    }
    expect(dc.exitMaintenance(host)).toBe(`${host} is not in maintenance`)
    expect(dc.evacuateHost(host)).toBeNull()
    expect(state().drain).toBe('maintenance')
    expect(dc.exitMaintenance(host)).toBeNull()
    expect(state().drain).toBe('none')
    dc.runUntil(600_000_000)
    expect(state().state).toBe('on')
    expect(dc.evacuateHost(host)).toBeNull()
    dc.runUntil(1_800_000_000)
    expect(state()).toEqual({ state: 'maintenance', drain: 'none', vms: 0 })
    expect(dc.exitMaintenance(host)).toBeNull()
    expect(state().state).toBe('on')
    expect(dc.exitMaintenance('host-9999')).toBe('unknown host host-9999')
  })
})
