// Goal: 'sim:migration-estimate' carries the engine's estimate from the worker to the renderer (validated by the
// contract's zod schema), and the time cap a migrate command carries reaches the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../main/app-services'
import type { DropVerdict, MigrationEstimateAnswer, WorldSnapshot } from '../../main/ipc/contract'

describe('sim:migration-estimate', () => {
  let services: AppServices
  beforeAll(async () => {
    services = createAppServices({ mode: 'browser', initialScenario: 'small-cluster', log: () => {} })
    await services.ready
  })
  afterAll(() => services?.dispose())

  it('answers the estimate model for the chosen values; refuses bad input naming the field', async () => {
    const snapshot = await services.dispatch('sim:get-snapshot', undefined)
    const world = (snapshot.ok ? snapshot.value : null) as WorldSnapshot
    const vm = world.vms.find((v) => v.memMiB === 8192) ?? world.vms[0]
    const verdicts = await services.dispatch('sim:drop-verdicts', { vmId: vm.id })
    const target = ((verdicts.ok ? verdicts.value : []) as DropVerdict[]).find((v) => v.refusal === null) as DropVerdict
    const fast = await services.dispatch('sim:migration-estimate', { vmId: vm.id, destination: target.hostId, strategy: 'precopy' })
    const slow = await services.dispatch('sim:migration-estimate', { vmId: vm.id, destination: target.hostId, strategy: 'precopy', parameters: { rateMinMbitPerS: 100, rateMaxMbitPerS: 500 }, timeCapS: 60 })
    expect(fast.ok && slow.ok).toBe(true)
    const quick = (fast.ok ? fast.value : null) as MigrationEstimateAnswer
    const capped = (slow.ok ? slow.value : null) as MigrationEstimateAnswer
    expect(quick.fitsTimeCap).toBe(true)
    expect(capped).toMatchObject({ rateMbitPerS: 100, fitsTimeCap: false, timeCapS: 60 })
    expect(capped.estimate?.totalMs).toBeGreaterThan(quick.estimate?.totalMs ?? Infinity)
    const bad = await services.dispatch('sim:migration-estimate', { vmId: vm.id, destination: target.hostId, strategy: 'precopy', timeCapS: 1 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } })
    expect(bad.ok ? '' : bad.error.message).toContain('timeCapS')
    const unknown = await services.dispatch('sim:migration-estimate', { vmId: 'vm-9999', destination: target.hostId, strategy: 'precopy' })
    expect(unknown.ok ? '' : unknown.error.message).toBe('unknown VM vm-9999')
  })
})
