// Admission of a move to a host that is already booting: the proposal asks to power the target on, and the
// boot is under way, so the target is judged as an off host would be (memory, CPU) — not refused as "booting".
import { describe, expect, it } from 'vitest'
import { judgeMigration } from '../../../engine/cluster/admission'
import { fitRefusal } from '../../../engine/cluster/placement'
import { PingPongDetector } from '../../../engine/policy/oscillation'
import type { MigrateProposal } from '../../../engine/policy/types'
import { buildDatacenter } from '../../../engine/scenario/build'
import { tinyScenario } from './support'

function proposal(vmIndex: number, targetHostIndex: number, powerOnTarget: boolean): MigrateProposal {
  return {
    kind: 'migrate', vmIndex, targetHostIndex, reason: 'test', priority: 3, benefit: { metric: 'test', before: 0, after: 0 },
    cost: null, powerOnTarget, recommendOnly: false, alternatives: []
  }
}

describe('judgeMigration to a booting host', () => {
  const setUp = () => {
    const { state } = buildDatacenter(tinyScenario({ initialPlacement: 'pack' }, 3, 2), 1)
    const target = state.hosts.find((host) => host.vmIndices.length === 0)
    if (target === undefined) throw new Error('no empty host')
    target.state = 'booting'
    const vm = state.vms.find((candidate) => candidate.hostIndex !== target.index && candidate.status === 'running')
    if (vm === undefined) throw new Error('no running VM')
    const context = { state, detector: new PingPongDetector(1e12), nowUs: vm.cooldownUntilUs, groups: new Map() }
    return { state, target, vm, context }
  }

  it('accepts it when the proposal powers the target on, refuses it otherwise, and leaves the host booting', () => {
    const { target, vm, context } = setUp()
    expect(judgeMigration(context, proposal(vm.index, target.index, true))).toEqual({ kind: 'accept' })
    expect(judgeMigration(context, proposal(vm.index, target.index, false))).toEqual({ kind: 'reject', reason: 'target: host is booting', cycle: null })
    expect(target.state).toBe('booting')
  })

  it('still applies the memory test to the booting host', () => {
    const { state, target, vm, context } = setUp()
    target.memUsedMiB = target.memMiB - state.memChargeMiB(vm) + 1
    expect(judgeMigration(context, proposal(vm.index, target.index, true))).toEqual({ kind: 'reject', reason: 'target: insufficient memory', cycle: null })
  })

  it('judges a booting host as off only when asked', () => {
    const { state, target, vm } = setUp()
    expect(fitRefusal(state, vm, target, { cpuLimit: 1, allowOff: true })?.code).toBe('host-down')
    expect(fitRefusal(state, vm, target, { cpuLimit: 1, allowOff: true, bootingAsOff: true })).toBeNull()
  })
})
