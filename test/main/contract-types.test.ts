// The IPC contract derives from the engine's schemas: channel request/response types equal the engine's
// inferred DTO types (checked by tsc over this file: a drifting channel fails the typecheck), the enums are
// the engine's, and what the engine really produces (a snapshot of a live world) parses against its schema.
import { readFileSync } from 'node:fs'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { engineCommandSchema, type EngineCommand } from '../../engine/api/commands'
import { STAGES, STRATEGIES, type Outcome, type Stage, type StrategyName, type Trigger } from '../../engine/api/names'
import { worldSnapshotSchema, type MigrationView, type WorldSnapshot } from '../../engine/api/snapshot'
import { BUILTIN_POLICY_NAMES, createWorld, engineCatalog, engineCatalogSchema, type EngineCatalog } from '../../engine/index'
import { createAppServices } from '../../main/app-services'
import { invokeSchemas, type InvokeParsed, type InvokeRequest, type InvokeResponse, type PushPayload } from '../../main/ipc/contract'

describe('IPC contract types', () => {
  it('uses the engine schemas for commands and snapshots (compile-time)', () => {
    expectTypeOf<InvokeRequest<'sim:command'>>().toEqualTypeOf<z.input<typeof engineCommandSchema>>()
    expectTypeOf<InvokeParsed<'sim:command'>>().toEqualTypeOf<EngineCommand>()
    expectTypeOf<InvokeResponse<'sim:get-snapshot'>>().toEqualTypeOf<WorldSnapshot>()
    expectTypeOf<InvokeResponse<'scenario:load'>>().toEqualTypeOf<WorldSnapshot>()
    expectTypeOf<PushPayload<'sim:snapshot'>>().toEqualTypeOf<WorldSnapshot>()
    expectTypeOf<MigrationView['stage']>().toEqualTypeOf<Stage>()
    expectTypeOf<MigrationView['strategy']>().toEqualTypeOf<StrategyName | 'precopy-estimate'>()
    expectTypeOf<MigrationView['trigger']>().toEqualTypeOf<Trigger>()
    expectTypeOf<MigrationView['outcome']>().toEqualTypeOf<Outcome | null>()
    expect(invokeSchemas['sim:command'].request).toBe(engineCommandSchema)
    expect(invokeSchemas['sim:get-snapshot'].response).toBe(worldSnapshotSchema)
  })

  it('accepts every strategy and refuses a name outside the engine list, naming the field', () => {
    for (const strategy of STRATEGIES) {
      expect(engineCommandSchema.safeParse({ kind: 'migrate', vmId: 'vm-1', destination: 'h-2', strategy }).success).toBe(true)
    }
    const bad = engineCommandSchema.safeParse({ kind: 'migrate', vmId: 'vm-1', destination: 'h-2', strategy: 'teleport' })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0].path).toEqual(['strategy'])
  })

  it('parses a live world snapshot, with a migration in flight, against the engine schema', () => {
    const world = createWorld(JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')) as unknown, 1)
    const before = world.snapshot()
    const vm = before.vms.find((v) => v.hostId !== null) as WorldSnapshot['vms'][number]
    const target = before.hosts.find((h) => h.id !== vm.hostId && h.power === 'on' && h.memMiB - h.memUsedMiB >= vm.memMiB) as WorldSnapshot['hosts'][number]
    expect(world.apply({ kind: 'migrate', vmId: vm.id, destination: target.id, strategy: 'precopy' })).toMatchObject({ ok: true })
    world.runUntil(world.nowUs + 200_000)
    const snapshot = world.snapshot()
    expect(snapshot.migrations.length).toBeGreaterThan(0)
    const parsed = worldSnapshotSchema.safeParse(snapshot)
    expect(parsed.error?.issues ?? []).toEqual([])
    expect(STAGES).toContain(snapshot.migrations[0].stage)
  })

  it('serves the engine catalog over engine:catalog: every strategy, stage and policy the engine has', async () => {
    expectTypeOf<InvokeResponse<'engine:catalog'>>().toEqualTypeOf<EngineCatalog>()
    const services = createAppServices({ mode: 'browser', initialScenario: null, log: () => {} })
    try {
      const answer = await services.dispatch('engine:catalog', undefined)
      expect(answer.ok).toBe(true)
      const catalog = (answer.ok ? answer.value : null) as EngineCatalog
      expect(engineCatalogSchema.safeParse(catalog).success).toBe(true)
      expect(catalog).toEqual(engineCatalog())
      expect([...catalog.strategies.map((s) => s.name)].sort()).toEqual([...STRATEGIES].sort())
      expect(catalog.strategies[0].name).toBe(catalog.defaultStrategy)
      expect(catalog.stages.map((s) => s.name)).toEqual(STAGES.filter((s) => s !== 'done'))
      expect(catalog.policies.map((p) => p.name)).toEqual([...BUILTIN_POLICY_NAMES])
      expect(catalog.policies.find((p) => p.name === 'drs')?.params.find((p) => p.name === 'threshold')).toMatchObject({ min: 1, max: 5 })
      // Each strategy's stages are a protocol-ordered subset; pre-copy strategies iterate, post-copy ones pull.
      const stagesOf = (name: string) => catalog.strategies.find((s) => s.name === name)?.stages ?? []
      expect(stagesOf('stop-and-copy')).not.toContain('precopy')
      expect(stagesOf('hybrid')).toEqual(expect.arrayContaining(['precopy', 'postcopy']))
    } finally {
      services.dispose()
    }
  })
})
