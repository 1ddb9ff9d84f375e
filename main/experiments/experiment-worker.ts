// Runs an experiment (policies × seeds on one scenario) off the main thread, one run after another,
// posting progress after each run and the summaries at the end.
import { parentPort, workerData } from 'node:worker_threads'
import { runDatacenter, validateScenario } from '../../engine/index'
interface Job { readonly scenario: unknown; readonly policies: readonly string[]; readonly seeds: readonly number[]; readonly hours?: number }

const job = workerData as Job
const port = parentPort
if (port === null) throw new Error('experiment worker must run in a worker thread')
const validation = validateScenario(job.scenario)
if (!validation.ok) {
  port.postMessage({ type: 'failed', message: `invalid scenario: ${validation.errors.join('; ')}` })
} else {
  const total = job.policies.length * job.seeds.length
  const runs: { policy: string; seed: number; metrics: Record<string, number> }[] = []
  for (const policy of job.policies) {
    for (const seed of job.seeds) {
      const summary = runDatacenter({ scenario: validation.scenario, seed, policy, hours: job.hours }) as unknown as Record<string, unknown>
      const metrics: Record<string, number> = {}
      for (const [key, value] of Object.entries(summary)) if (typeof value === 'number' && key !== 'seed') metrics[key] = value
      runs.push({ policy, seed, metrics })
      port.postMessage({ type: 'progress', done: runs.length, total })
    }
  }
  port.postMessage({ type: 'done', runs })
}
