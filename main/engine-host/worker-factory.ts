// Starts the engine worker from the built bundle (out/main/engine-worker.js) or, when running from source
// (tests, the CLI through tsx), from worker.ts with tsx's loader.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { startTsWorker } from '../support/ts-worker'

export type WorkerFactory = () => Worker

export const createEngineWorker: WorkerFactory = () => {
  const built = new URL('./engine-worker.js', import.meta.url)
  if (existsSync(fileURLToPath(built))) return new Worker(built)
  return startTsWorker(new URL('./worker.ts', import.meta.url))
}
