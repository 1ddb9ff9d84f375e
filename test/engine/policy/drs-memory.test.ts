// Goal: DRS balances memory as well as CPU (vSphere uses both entitlements), the network when asked, and prices
// every move with the migration model's estimate. Method: hand-built views where only memory (or only the
// network) is imbalanced, then a datacenter run where memory is packed on one host and CPU is idle everywhere.
import { describe, expect, test } from 'vitest'
import { createDrsPolicy, DEFAULT_DRS } from '../../../engine/policy/drs'
import type { MigrateProposal, MoveCost, PolicyOutput } from '../../../engine/policy/types'
import { runRecorded, tinyScenario, ofKind } from '../cluster/support'
import { context, FREE_MOVE, handView } from './support'

const moves = (output: PolicyOutput) => output.proposals.filter((p): p is MigrateProposal => p.kind === 'migrate')

/** Same CPU on every host (4 × 1,000 MIPS of 10,000); host 1 holds 12 GiB of VMs, hosts 2–4 hold 2 GiB each. */
const memoryOnly = (costOf?: (vm: number, target: number) => MoveCost) => handView({
  hosts: [
    { vms: [1, 2, 3, 4].map(() => ({ demandMips: 1000, memMiB: 3072 })) },
    { vms: [1, 2, 3, 4].map(() => ({ demandMips: 1000, memMiB: 512 })) },
    { vms: [1, 2, 3, 4].map(() => ({ demandMips: 1000, memMiB: 512 })) },
    { vms: [1, 2, 3, 4].map(() => ({ demandMips: 1000, memMiB: 512 })) }
  ],
  costOf
})

describe('DRS on memory', () => {
  test('with CPU balanced and memory not, it moves the memory-heavy VMs off the full host', () => {
    const output = createDrsPolicy(DEFAULT_DRS).decide(memoryOnly(), context())
    const proposals = moves(output)
    expect(proposals.length).toBeGreaterThan(0)
    expect(proposals[0].vmIndex).toBeLessThan(4)
    expect(proposals[0].reason).toMatch(/^balance memory:/)
    for (const p of proposals) expect(p.benefit.after).toBeLessThan(p.benefit.before)
    // Never more than the full host's excess: the plan counts a moved VM on its target only.
    expect(proposals.filter((p) => p.vmIndex < 4).length).toBeLessThanOrEqual(3)
    expect(output.notes.cpuSd).toBeCloseTo(0, 9)
    expect(Number(output.notes.memSd)).toBeGreaterThan(0.1)
  })

  test('memWeight 0 is the CPU-only DRS: nothing to do here', () => {
    expect(moves(createDrsPolicy({ ...DEFAULT_DRS, memWeight: 0 }).decide(memoryOnly(), context()))).toEqual([])
  })

  test('the cost/benefit gate prices each move with the migration estimate for that VM and target', () => {
    const asked: [number, number][] = []
    const expensive = (vm: number, target: number): MoveCost => {
      asked.push([vm, target])
      return { ...FREE_MOVE, bytes: 2 ** 50 }
    }
    const output = createDrsPolicy(DEFAULT_DRS).decide(memoryOnly(expensive), context())
    expect(moves(output)).toEqual([])
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every(([vm, target]) => vm < 4 && target > 0)).toBe(true)
    expect(output.skipped[0].reason).toMatch(/^cost \d+ MIPS·s exceeds benefit \d+ MIPS·s$/)
    const noGate = createDrsPolicy({ ...DEFAULT_DRS, costBenefit: false }).decide(memoryOnly(expensive), context())
    expect(moves(noGate).length).toBeGreaterThan(0)
  })

  test('the network is balanced only when it has a weight', () => {
    const base = memoryOnly()
    const netHeavy = { ...base, vms: base.vms.map((vm) => ({ ...vm, memMiB: 1024, netMbitPerS: vm.index < 4 ? 200 : 0 })) }
    const hosts = base.hosts.map((h) => ({ ...h, memUsedMiB: 4096 }))
    const view = { ...netHeavy, hosts }
    expect(moves(createDrsPolicy(DEFAULT_DRS).decide(view, context()))).toEqual([])
    const withNet = moves(createDrsPolicy({ ...DEFAULT_DRS, netWeight: 1 }).decide(view, context()))
    expect(withNet.length).toBeGreaterThan(0)
    expect(withNet[0].reason).toMatch(/^balance network:/)
  })
})

describe('DRS on a datacenter where only memory is imbalanced', () => {
  test('VMs packed by memory on one host with idle CPU get spread, priced by the estimate model', () => {
    const scenario = tinyScenario({ initialPlacement: 'pack', policy: { name: 'drs', intervalS: 300, params: {} } }, 4, 8, 0)
    const run = runRecorded({ scenario, seed: 1, policy: 'drs' })
    const state = run.dc.inspectState()
    const used = state.hosts.map((h) => h.memUsedMiB)
    expect(Math.max(...used) - Math.min(...used)).toBeLessThanOrEqual(2 * 8192)
    const decided = ofKind(run.events, 'migration.started')
    expect(decided.length).toBeGreaterThan(0)
    expect(decided.every((m) => m.estimateBytes > 0)).toBe(true)
    const cpuOnly = runRecorded({ scenario, seed: 1, policy: 'drs', policyParams: { memWeight: 0 } })
    expect(cpuOnly.summary.migrations).toBe(0)
  })
})
