// Goal: scenario files are validated with errors that name the field path and the reason; every shipped preset
// is valid; the published JSON Schema comes from the same zod schema; building is deterministic and never
// breaks a hard rule at placement. Method: bad documents with known paths, the scenarios/ folder, small builds.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildDatacenter } from '../../../engine/scenario/build'
import { resolveSelectors } from '../../../engine/scenario/ids'
import { scenarioJsonSchema, validateScenario } from '../../../engine/scenario/validate'
import { SCENARIOS_DIR, tinyScenario, validated } from '../cluster/support'
import { attachTracePack } from '../../../main/scenarios/trace-files'

const host = { cores: 2, mipsPerCore: 1000, memGiB: 4 }
const vm = { mipsPerVcpu: 500, memMiB: 512, cpu: { kind: 'constant', util: 0.5 } }

function errorsOf(input: unknown): readonly string[] {
  const result = validateScenario(input)
  return result.ok ? [] : result.errors
}

describe('scenario validation', () => {
  it('names the field path and the reason, with the offending value', () => {
    expect(errorsOf({ name: 'x', hosts: [host, host, host, { ...host, memGiB: -4 }], vms: [vm] }))
      .toEqual(['hosts[3].memGiB: expected a positive number, got -4'])
  })

  it('reports types, enums, unknown fields, unknown kinds and missing fields', () => {
    const errors = errorsOf({ name: 'x', hosts: [{ ...host, cores: 2.5, colour: 'red' }], vms: [{ ...vm, haPriority: 'urgent', cpu: { kind: 'sine' } }] })
    expect(errors).toContain('hosts[0].cores: expected an integer, got 2.5')
    expect(errors).toContain('hosts[0]: unknown field "colour"')
    expect(errors).toContain('vms[0].haPriority: expected one of "disabled", "low", "medium", "high", got "urgent"')
    expect(errors).toContain('vms[0].cpu.kind: unknown kind, got "sine"')
    expect(errorsOf({ hosts: [host], vms: [vm] })).toContain('name: expected a string (missing)')
  })

  it('checks cross-references: rule selectors, maintenance and fault hosts', () => {
    const errors = errorsOf({
      name: 'x', hosts: [host], vms: [vm],
      rules: [{ kind: 'vm-anti-affinity', vms: ['vm-0001', 'web'] }],
      maintenance: [{ host: 'host-0009', atH: 1 }],
      faults: [{ kind: 'host-crash', host: 'nope', atH: 1 }]
    })
    expect(errors).toEqual([
      'rules[0].vms[1]: unknown VM or VM group, got "web"',
      'maintenance[0].host: unknown host, got "host-0009"',
      'faults[0].host: unknown host, got "nope"'
    ])
  })

  it('accepts every shipped preset', () => {
    const files = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.json'))
    expect(files.length).toBeGreaterThanOrEqual(9)
    // Presets that name a trace file get it read the way the CLI and the app read it.
    for (const file of files) expect(errorsOf(attachTracePack(JSON.parse(readFileSync(SCENARIOS_DIR + file, 'utf8')), SCENARIOS_DIR + file)), file).toEqual([])
  })

  it('publishes a JSON Schema of the same shape', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] }
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'hosts', 'vms', 'rules', 'faults', 'maintenance', 'policy']))
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'hosts', 'vms']))
  })
})

describe('scenario build', () => {
  it('mints ids in file order and resolves group selectors', () => {
    expect(resolveSelectors(['web', 'vm-0001'], ['vm-0001', 'vm-0002', 'vm-0003'], ['db', 'web', 'web'])).toEqual({ indices: [0, 1, 2] })
    expect(resolveSelectors(['nope'], ['vm-0001'], ['db'])).toEqual({ unknownAt: 0 })
  })

  it('builds the same demand for the same seed and another for another seed', () => {
    const scenario = tinyScenario({ vms: [{ count: 4, mipsPerVcpu: 1000, memMiB: 1024, cpu: { kind: 'planetlab' } }] })
    const a = buildDatacenter(scenario, 1).state.series
    expect(buildDatacenter(scenario, 1).state.series).toEqual(a)
    expect(buildDatacenter(scenario, 2).state.series).not.toEqual(a)
    expect(a.every((u) => u >= 0 && u <= 1)).toBe(true)
  })

  it('places initially without breaking hard rules and disables the newer of two conflicting rules', () => {
    const scenario = validated({
      name: 'rules', hosts: [{ count: 3, ...host, memGiB: 8 }],
      vms: [{ count: 3, ...vm, name: 'db' }],
      rules: [
        { kind: 'vm-anti-affinity', name: 'apart', vms: ['db'] },
        { kind: 'vm-affinity', name: 'together', vms: ['vm-0001', 'vm-0002'] },
        { kind: 'vm-host', name: 'pin', mode: 'must', vms: ['vm-0001'], hosts: ['host-0002'] }
      ]
    })
    const built = buildDatacenter(scenario, 1)
    expect(built.disabledRules).toEqual([{ ruleId: 'together', conflictsWith: 'apart', reason: 'affinity and anti-affinity over the same VMs' }])
    const hosts = built.state.vms.map((v) => v.hostIndex)
    expect(new Set(hosts).size).toBe(3)
    expect(hosts[0]).toBe(1)
  })
})
