// Goal: history:list separates runs. By default it lists the run being recorded now; 'all' lists every run; a
// run id lists that one; the page names the current run and the recent runs for the view's run filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../main/app-services'
import type { HistoryPage } from '../../main/ipc/contract'

async function list(services: AppServices, run?: 'current' | 'all' | number): Promise<HistoryPage> {
  const answer = await services.dispatch('history:list', run === undefined ? {} : { run })
  if (!answer.ok) throw new Error(answer.error.message)
  return answer.value as HistoryPage
}

describe('history:list by run', () => {
  let services: AppServices
  beforeAll(async () => {
    services = createAppServices({ mode: 'browser', initialScenario: 'small-cluster', log: () => {} })
    await services.ready
  })
  afterAll(() => services?.dispose())

  it('lists the current run by default, every run with all, one run by id', async () => {
    // small-cluster's policy moves VMs at its first tick (300 s): one run with migrations, then a fresh run.
    const step = await services.dispatch('sim:control', { action: 'step', durationUs: 900_000_000 })
    expect(step.ok).toBe(true)
    const first = await list(services)
    expect(first.total).toBeGreaterThan(0)
    expect(first.currentRunId).not.toBeNull()
    expect(first.rows.every((r) => r.runId === first.currentRunId)).toBe(true)
    expect(first.rows[0]).toHaveProperty('lostWrites')
    const loaded = await services.dispatch('scenario:load', { name: 'small-cluster', seed: 2 })
    expect(loaded.ok).toBe(true)
    const second = await list(services)
    expect(second.currentRunId).toBeGreaterThan(first.currentRunId as number)
    expect(second.total).toBe(0)
    expect(second.runs.map((r) => r.id).slice(0, 2)).toEqual([second.currentRunId, first.currentRunId])
    expect((await list(services, 'all')).total).toBe(first.total)
    expect((await list(services, first.currentRunId as number)).total).toBe(first.total)
  })
})
