// Policy parameters are zod schemas: the catalog's parameter lists (defaults, bounds, units) are read from them,
// strings are coerced the same way for every surface, and a bad value is refused naming the policy and field.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { createPolicyRegistry, PolicyParamError } from '../../../engine/policy/registry'
import { engineCatalog } from '../../../engine/catalog'
import { createWorld } from '../../../engine/world/interactive-world'

describe('policy parameter schemas', () => {
  const catalog = engineCatalog()
  const params = (policy: string) => catalog.policies.find((p) => p.name === policy)?.params ?? []

  it('send every built-in policy but none with its parameters, defaults, bounds and units', () => {
    for (const policy of catalog.policies) {
      if (policy.name === 'none') expect(policy.params).toEqual([])
      else expect(policy.params.length, policy.name).toBeGreaterThan(3)
    }
    expect(params('drs').find((p) => p.name === 'threshold')).toMatchObject({ defaultValue: 3, min: 1, max: 5, integer: true })
    expect(params('drs').find((p) => p.name === 'automation')).toMatchObject({ defaultValue: 'full', choices: ['manual', 'partial', 'full'] })
    expect(params('thr-mmt').find((p) => p.name === 'safety')).toMatchObject({ defaultValue: 0.8, min: 0, max: 1, unit: 'fraction (0–1)' })
    expect(params('mad-mmt').find((p) => p.name === 'safety')).toMatchObject({ defaultValue: 2.5, min: 0 })
    expect(params('consolidate').find((p) => p.name === 'offWindowS')).toMatchObject({ defaultValue: 2400, unit: 's' })
    expect(params('sandpiper').find((p) => p.name === 'k')).toMatchObject({ defaultValue: 3, notAbove: 'n', integer: true })
  })

  it('coerce strings and name the field of a refused value', () => {
    const registry = createPolicyRegistry()
    expect(() => registry.create('sandpiper', { k: '2', n: '4', swaps: 'false' })).not.toThrow()
    expect(() => registry.create('sandpiper', { k: 6 })).toThrow('policy sandpiper, parameter k: must not exceed n (5), got 6')
    expect(() => registry.create('drs', { threshold: 2.5 })).toThrow('policy drs, parameter threshold: must be a whole number, got 2.5')
    expect(() => registry.create('consolidate', { targetUtil: 'lots' })).toThrow(/parameter targetUtil: expected a number/)
    expect(() => registry.create('thr-mmt', { switchOffIdle: 'yes' })).toThrow(PolicyParamError)
  })

  it('let the app switch to a policy without an automation parameter, and refuse a bad one by name', () => {
    const world = createWorld(JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')), 1)
    expect(world.apply({ kind: 'set-policy', policy: 'thr-mmt', automation: 'full', parameters: { safety: 0.7 } })).toEqual({ ok: true, detail: 'policy thr-mmt (full)' })
    expect(world.snapshot().policy).toMatchObject({ name: 'thr-mmt', parameters: { safety: 0.7 } })
    expect(world.apply({ kind: 'set-policy', policy: 'drs', automation: 'manual', parameters: { threshold: 9 } }))
      .toEqual({ ok: false, detail: 'policy drs, parameter threshold: must be at most 5, got 9' })
    expect(world.snapshot().policy.name).toBe('thr-mmt')
  })
})

describe('metric catalog', () => {
  it('gives every numeric summary field a label, unit and direction; settings and counts are not ranked', async () => {
    const { NUMERIC_SUMMARY_FIELDS } = await import('../../../engine/metrics/summary')
    const metrics = engineCatalog().metrics
    expect(metrics.map((m) => m.name)).toEqual([...NUMERIC_SUMMARY_FIELDS])
    const by = Object.fromEntries(metrics.map((m) => [m.name, m]))
    expect(by.energyKWh).toMatchObject({ unit: 'kWh', better: 'lower' })
    expect(by.bytesMigrated).toMatchObject({ unit: 'bytes', better: 'neutral' })
    for (const setting of ['simulatedS', 'hosts', 'vms', 'migrations']) expect(by[setting]?.better, setting).toBe('neutral')
  })
})
