// Builders shared by the datacenter tests: small validated scenarios, preset loading, a run that records every
// event, and checkers for the invariants every policy must keep (memory never overcommitted, hard rules kept).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createDatacenter, type Datacenter, type DatacenterOptions, type DcEvent, type RunSummary } from '../../../engine/index'
import type { ClusterState } from '../../../engine/cluster/state'
import type { Stamped } from '../../../engine/kernel/simulation'
import type { Scenario, ScenarioInput } from '../../../engine/scenario/schema'
import { validateScenario } from '../../../engine/scenario/validate'

export const SCENARIOS_DIR = fileURLToPath(new URL('../../../scenarios/', import.meta.url))

export function validated(input: unknown): Scenario {
  const result = validateScenario(input)
  if (!result.ok) throw new Error(result.errors.join('\n'))
  return result.scenario
}

export function preset(name: string): Scenario {
  return validated(JSON.parse(readFileSync(`${SCENARIOS_DIR}${name}.json`, 'utf8')))
}

/** A small cluster: `hosts` identical hosts (16 cores × 2,500 MIPS, 64 GiB, 10 GbE) and constant-demand VMs. */
export function tinyScenario(overrides: Partial<ScenarioInput> = {}, hosts = 4, vms = 8, util = 0.3): Scenario {
  return validated({
    name: 'tiny', durationH: 2,
    hosts: [{ count: hosts, cores: 16, mipsPerCore: 2500, memGiB: 64, nicMbitPerS: 10000, power: { kind: 'linear', idleW: 100, maxW: 300 }, bootS: 60 }],
    vms: [{ count: vms, vcpus: 4, mipsPerVcpu: 2500, memMiB: 8192, cpu: { kind: 'constant', util }, dirtyMiBPerS: 20, wwsMiB: 32 }],
    ...overrides
  })
}

export interface RecordedRun {
  readonly dc: Datacenter
  readonly events: Stamped<DcEvent>[]
  readonly summary: RunSummary
}

export function runRecorded(options: DatacenterOptions, onEvent?: (event: Stamped<DcEvent>, dc: Datacenter) => void): RecordedRun {
  const dc = createDatacenter(options)
  const events: Stamped<DcEvent>[] = []
  dc.subscribe((event) => { events.push(event); onEvent?.(event, dc) })
  const summary = dc.run()
  return { dc, events, summary }
}

export function ofKind<K extends DcEvent['kind']>(events: readonly Stamped<DcEvent>[], kind: K): Stamped<Extract<DcEvent, { kind: K }>>[] {
  return events.filter((event) => event.kind === kind) as Stamped<Extract<DcEvent, { kind: K }>>[]
}

/** Problems with memory accounting and hard rules in a cluster state (empty when all is well). */
export function invariantProblems(state: Readonly<ClusterState>): string[] {
  const problems: string[] = []
  const resident = new Float64Array(state.hosts.length)
  const reserved = new Float64Array(state.hosts.length)
  for (const vm of state.vms) {
    if (vm.hostIndex >= 0 && vm.status !== 'down') resident[vm.hostIndex] += vm.memMiB
    if (vm.targetHostIndex >= 0) reserved[vm.targetHostIndex] += vm.memMiB
  }
  for (const host of state.hosts) {
    const expected = resident[host.index] + reserved[host.index]
    if (Math.abs(expected - host.memUsedMiB) > 1e-6) problems.push(`${host.id}: memUsedMiB ${host.memUsedMiB} ≠ ${expected}`)
    if (host.memUsedMiB > host.memMiB + 1e-6) problems.push(`${host.id}: memory overcommitted (${host.memUsedMiB} > ${host.memMiB})`)
  }
  for (const rule of state.rules) {
    if (!rule.hard) continue
    const hosts = rule.vmIndices.map((i) => state.vms[i]).filter((vm) => vm.status !== 'down' && !vm.moving).map((vm) => vm.hostIndex)
    if (rule.kind === 'vm-anti-affinity' && new Set(hosts).size !== hosts.length) problems.push(`${rule.id}: two members share a host`)
    if (rule.kind === 'vm-affinity' && new Set(hosts).size > 1) problems.push(`${rule.id}: members on different hosts`)
    if (rule.kind === 'vm-host') {
      for (const host of hosts) {
        const listed = rule.hostIndices.includes(host)
        if (listed !== (rule.mode === 'must')) problems.push(`${rule.id}: a member on ${state.hosts[host].id}`)
      }
    }
  }
  return problems
}
