// Starts a worker thread from a TypeScript file when running from source (tests, the CLI through tsx): the
// worker registers tsx's loader first, then imports the entry. Built bundles load their .js entries directly.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker, type WorkerOptions } from 'node:worker_threads'

/** tsx's ESM API entry (require.resolve finds the .cjs twin; the worker needs the .mjs). */
export function tsxApiUrl(): string {
  const meta = import.meta as ImportMeta & { resolve?: (specifier: string) => string }
  if (typeof meta.resolve === 'function') {
    try { return meta.resolve('tsx/esm/api') } catch { /* fall through to require.resolve */ }
  }
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
}

export function startTsWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}
