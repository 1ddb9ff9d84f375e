// Goal: 'sim:drop-verdicts' carries the engine's rule from the worker to the renderer: one verdict per host,
// the same sentence the migrate command then answers with; a malformed request is refused naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../main/app-services'
import type { DropVerdict, WorldSnapshot } from '../../main/ipc/contract'

describe('sim:drop-verdicts', () => {
  let services: AppServices
  beforeAll(async () => {
    services = createAppServices({ mode: 'browser', initialScenario: 'small-cluster', log: () => {} })
    await services.ready
  })
  afterAll(() => services?.dispose())

  it('answers one engine verdict per host that the migrate command agrees with', async () => {
    const snapshot = await services.dispatch('sim:get-snapshot', undefined)
    const world = (snapshot.ok ? snapshot.value : null) as WorldSnapshot
    const vm = world.vms[2]
    const answer = await services.dispatch('sim:drop-verdicts', { vmId: vm.id })
    const verdicts = (answer.ok ? answer.value : []) as DropVerdict[]
    expect(verdicts.map((v) => v.hostId)).toEqual(world.hosts.map((h) => h.id))
    expect(verdicts.find((v) => v.hostId === vm.hostId)?.refusal).toBe('same-host')
    const refused = verdicts.find((v) => v.refusal === 'no-memory') as DropVerdict
    expect(refused.reason).toMatch(/MiB free/)
    const command = await services.dispatch('sim:command', { kind: 'migrate', vmId: vm.id, destination: refused.hostId, strategy: 'precopy' })
    expect(command.ok ? '' : command.error.message).toBe(refused.reason)
    const bad = await services.dispatch('sim:drop-verdicts', { vmId: '' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } })
    expect(bad.ok ? '' : bad.error.message).toContain('vmId')
  })
})
