// Goal: a scenario's size is bounded by the validator, before anything is allocated: a 1e9 `count`, a sum of
// groups above the totals, a huge durationH or a demand series too large are refused with the field named,
// through validateScenario and through createWorld (the path the server's scenario:load-file takes).
// Method: validate hostile scenarios; each would otherwise allocate id lists or a Float32 series until V8 aborts,
// so a test that passes at all shows the refusal came first.
import { describe, expect, it } from 'vitest'
import { createWorld, InvalidScenario, SCENARIO_LIMITS, validateScenario } from '../../../engine/index'

const host = { count: 2, cores: 8, mipsPerCore: 1000, memGiB: 32 }
const vm = { count: 2, mipsPerVcpu: 1000, memMiB: 1024, cpu: { kind: 'constant', util: 0.2 } }
const scenario = (overrides: Record<string, unknown>) => ({ name: 'limits', hosts: [host], vms: [vm], ...overrides })
const errorsOf = (input: unknown): readonly string[] => {
  const validation = validateScenario(input)
  return validation.ok ? [] : validation.errors
}

describe('scenario size limits', () => {
  it('refuses a 1e9 count in a host or VM group, naming the field', () => {
    expect(errorsOf(scenario({ hosts: [{ ...host, count: 1e9 }] }))).toContain(`hosts[0].count: expected a number ≤ ${SCENARIO_LIMITS.hostsTotalMax}, got 1000000000`)
    expect(errorsOf(scenario({ vms: [{ ...vm, count: 1e9 }] }))).toContain(`vms[0].count: expected a number ≤ ${SCENARIO_LIMITS.vmsTotalMax}, got 1000000000`)
  })

  it('refuses totals over all groups above the limits', () => {
    const hosts = Array.from({ length: 3 }, () => ({ ...host, count: 4000 }))
    expect(errorsOf(scenario({ hosts }))).toEqual([`hosts: expected at most ${SCENARIO_LIMITS.hostsTotalMax} hosts in total (sum of count), got 12000`])
    const vms = Array.from({ length: 11 }, () => ({ ...vm, count: 10_000 }))
    expect(errorsOf(scenario({ vms }))).toEqual([`vms: expected at most ${SCENARIO_LIMITS.vmsTotalMax} VMs in total (sum of count), got 110000`])
  })

  it('refuses a run longer than a year and a demand series above the sample budget', () => {
    expect(errorsOf(scenario({ durationH: 1e9 }))).toEqual([`durationH: expected a number ≤ ${SCENARIO_LIMITS.durationHMax}, got 1000000000`])
    const errors = errorsOf(scenario({ vms: [{ ...vm, count: 50_000 }], durationH: 8000, sampleIntervalS: 60 }))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^sampleIntervalS: 50000 VMs × 8000 h at one sample per 60 s need 24000000000 demand samples; at most 50000000/)
  })

  it('accepts the largest shipped shape (20000 VMs for a day)', () => {
    expect(errorsOf(scenario({ hosts: [{ ...host, count: 1000 }], vms: [{ ...vm, count: 20_000 }] }))).toEqual([])
  })

  it('refuses them in createWorld too, the server\'s load path', () => {
    expect(() => createWorld(scenario({ vms: [{ ...vm, count: 1e9 }] }), 1)).toThrow(InvalidScenario)
    expect(() => createWorld(scenario({ vms: [{ ...vm, count: 1e9 }] }), 1)).toThrow(/vms\[0\]\.count/)
  })
})
