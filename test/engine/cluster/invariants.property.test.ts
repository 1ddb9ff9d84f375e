// Goal: whatever the cluster, rules, faults and policy, no accepted action ever overcommits a host's memory or
// breaks a hard rule, and the run ends with every migration settled. Method: fast-check draws small scenarios
// (hosts, VM sizes, anti-affinity and host rules, maintenance, crashes) and a policy; the invariant checker
// runs after every event. A failure prints the seed and the scenario.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDatacenter } from '../../../engine/index'
import { BUILTIN_POLICY_NAMES } from '../../../engine/policy/registry'
import { invariantProblems, validated } from './support'

const scenarioArb = fc.record({
  hosts: fc.integer({ min: 2, max: 6 }),
  hostMemGiB: fc.constantFrom(16, 32, 64),
  vms: fc.array(fc.record({
    memMiB: fc.constantFrom(1024, 2048, 4096, 8192),
    vcpus: fc.integer({ min: 1, max: 8 }),
    util: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    planetlab: fc.boolean()
  }), { minLength: 2, maxLength: 14 }),
  antiAffinity: fc.boolean(),
  mustHost: fc.boolean(),
  maintenance: fc.boolean(),
  crash: fc.boolean(),
  policy: fc.constantFrom(...BUILTIN_POLICY_NAMES, 'iqr-mc', 'mad-rs', 'lr-mu'),
  seed: fc.integer({ min: 1, max: 1_000 })
})

type Draw = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never

function toScenario(draw: Draw) {
  const rules: unknown[] = []
  if (draw.antiAffinity) rules.push({ kind: 'vm-anti-affinity', vms: ['vm-0001', 'vm-0002'], hard: true })
  if (draw.mustHost) rules.push({ kind: 'vm-host', mode: 'must-not', vms: ['vm-0001'], hosts: ['host-0002'] })
  return validated({
    name: 'property', durationH: 2, sampleIntervalS: 300,
    hosts: [{ count: draw.hosts, cores: 8, mipsPerCore: 2500, memGiB: draw.hostMemGiB, nicMbitPerS: 1000, bootS: 30 }],
    vms: draw.vms.map((vm) => ({
      vcpus: vm.vcpus, mipsPerVcpu: 2500, memMiB: vm.memMiB, dirtyMiBPerS: 20, wwsMiB: 16,
      cpu: vm.planetlab ? { kind: 'planetlab', meanUtil: vm.util } : { kind: 'constant', util: vm.util }
    })),
    rules,
    maintenance: draw.maintenance ? [{ host: 'host-0001', atH: 0.5, deadlineMin: 20, returnAfterH: 1 }] : [],
    faults: draw.crash ? [{ kind: 'host-crash', host: `host-000${draw.hosts}`, atH: 0.75, repairAfterH: 0.5 }] : [],
    policy: { name: 'none', intervalS: 300 },
    limits: { cooldownMin: 10 }
  })
}

describe('cluster invariants under every policy', () => {
  it('never overcommits memory or breaks a hard rule', () => {
    fc.assert(fc.property(scenarioArb, (draw) => {
      const dc = createDatacenter({ scenario: toScenario(draw), seed: draw.seed, policy: draw.policy })
      const problems: string[] = []
      dc.subscribe(() => { if (problems.length === 0) problems.push(...invariantProblems(dc.inspectState())) })
      dc.run()
      const state = dc.inspectState()
      if (problems.length === 0) problems.push(...invariantProblems(state))
      expect(problems, `seed ${draw.seed}, policy ${draw.policy}`).toEqual([])
      expect(state.vms.some((vm) => vm.moving && vm.status === 'running' && vm.targetHostIndex < 0)).toBe(false)
    }), { numRuns: 40, seed: 20260601 })
  })
})
