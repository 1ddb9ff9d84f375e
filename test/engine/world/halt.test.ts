// Goal: a world whose event handler breaks an invariant stops there instead of running on half updated: it
// reports the error once, audits the halt (so the history shows why the run ends), refuses commands and no
// longer advances; a command that breaks an invariant halts it the same way.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { INJECTED_VIOLATION, worldBreakingAt } from '../../main/fixtures/inject-violation'
import { createWorld, type InteractiveWorld } from '../../../engine/world/interactive-world'
import { InvariantViolation } from '../../../engine/kernel/assert'

const scenario = JSON.parse(readFileSync('scenarios/two-hosts.json', 'utf8')) as unknown

describe('world halt on an engine error', () => {
  it('halts at the violation, audits it once and neither advances nor applies commands afterwards', () => {
    const world = worldBreakingAt(scenario, 1, 10_000_000)
    expect(world.runUntil(5_000_000)).toEqual([])
    expect(world.halted).toBeNull()
    const errors = world.runUntil(20_000_000)
    expect(errors).toEqual([`InvariantViolation: ${INJECTED_VIOLATION}`])
    expect(world.halted).toEqual({ atUs: 10_000_000, reason: `InvariantViolation: ${INJECTED_VIOLATION}` })
    const hashAtHalt = world.traceHash()

    expect(world.runUntil(60_000_000)).toEqual([])
    expect(world.nowUs).toBe(10_000_000)
    expect(world.traceHash()).toBe(hashAtHalt)
    const snapshot = world.snapshot()
    const refused = world.apply({ kind: 'migrate', vmId: snapshot.vms[0].id, destination: snapshot.hosts[1].id, strategy: 'precopy' })
    expect(refused.ok).toBe(false)
    expect(refused.detail).toContain('halted')
    expect(world.nowUs).toBe(10_000_000)

    const halts = world.drainRecords().filter((record) => record.kind === 'audit' && record.audit.action === 'world.halted')
    expect(halts).toEqual([{ kind: 'audit', audit: { actor: 'engine', action: 'world.halted', payload: { reason: `InvariantViolation: ${INJECTED_VIOLATION}` }, atUs: 10_000_000 } }])
  })

  it('halts when a command breaks an invariant; any other throw is the command\'s alone and leaves the world running', () => {
    const world = createWorld(scenario, 1) as InteractiveWorld
    const dc = world.dc
    const hostId = world.snapshot().hosts[0].id
    dc.failHost = () => { throw new RangeError('repairAfterS out of range (injected)') }
    expect(() => world.apply({ kind: 'fail-host', hostId })).toThrow('repairAfterS out of range')
    expect(world.halted).toBeNull()

    dc.evacuateHost = () => { throw new InvariantViolation('evacuation left a VM on two hosts (injected)') }
    const outcome = world.apply({ kind: 'evacuate-host', hostId })
    expect(outcome.ok).toBe(false)
    expect(outcome.detail).toContain('evacuation left a VM on two hosts')
    expect(world.halted?.reason).toBe('InvariantViolation: evacuation left a VM on two hosts (injected)')
    expect(world.runUntil(1_000_000)).toEqual([])
    expect(world.nowUs).toBe(0)
  })
})
