// Starts an experiment worker and resolves with its runs; progress is reported as it comes.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { startTsWorker } from '../support/ts-worker'
import type { ExperimentProgress, ExperimentResult } from '../ipc/contract'

export interface ExperimentJob { readonly scenario: unknown; readonly policies: readonly string[]; readonly seeds: readonly number[]; readonly hours?: number; readonly compat?: 'faithful' | 'cloudsim' }

function startWorker(job: ExperimentJob): Worker {
  const built = new URL('./experiment-worker.js', import.meta.url)
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: job })
  return startTsWorker(new URL('./experiment-worker.ts', import.meta.url), { workerData: job })
}

export function runExperiment(job: ExperimentJob, onProgress: (progress: ExperimentProgress) => void): Promise<ExperimentResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(job)
    worker.on('message', (message: { type: string; done?: number; total?: number; runs?: ExperimentResult['runs']; message?: string }) => {
      if (message.type === 'progress') onProgress({ done: message.done ?? 0, total: message.total ?? 0 })
      else if (message.type === 'done') { resolve({ runs: message.runs ?? [] }); void worker.terminate() }
      else if (message.type === 'failed') { reject(new Error(message.message)); void worker.terminate() }
    })
    worker.on('error', reject)
    worker.on('exit', (code) => { if (code !== 0) reject(new Error(`experiment worker exited with code ${code}`)) })
  })
}
