// Reads the trace pack a scenario names in `traces.file` (text or gzip, relative to the scenario file) into
// `traces.pack`, so the pure engine receives the traces inline. Shared by the CLI, the bench and the app.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'

export class TraceFileError extends Error {
  override readonly name = 'TraceFileError'
}

/** Reads a pack file, gunzipping `.gz` ones. */
export function readTraceText(path: string): string {
  const bytes = readFileSync(path)
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')
}

/**
 * The scenario document with `traces.pack` filled from `traces.file` (resolved against `scenarioPath`'s folder);
 * documents without a file reference, or with the pack already inline, come back unchanged.
 */
export function attachTracePack(document: unknown, scenarioPath: string): unknown {
  if (document === null || typeof document !== 'object') return document
  const traces = (document as { traces?: unknown }).traces
  if (traces === null || typeof traces !== 'object') return document
  const { file, pack } = traces as { file?: unknown; pack?: unknown }
  if (typeof file !== 'string' || pack !== undefined) return document
  const path = resolve(dirname(scenarioPath), file)
  let text: string
  try {
    text = readTraceText(path)
  } catch (error) {
    throw new TraceFileError(`traces.file: cannot read ${path} (${(error as Error).message})`)
  }
  return { ...document, traces: { ...traces, pack: text } }
}
