// Flag parsers for commander: each rejects bad input with a UsageError naming the flag. Every number flag
// has an upper bound (a huge value must be refused at the door, not allocate or loop until the process dies).
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { UsageError } from './errors'

export interface NumberBounds {
  readonly min?: number
  readonly max: number
  readonly integer?: boolean
}

export function parseNumberFlag(flag: string, options: NumberBounds) {
  return (raw: string): number => {
    const value = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag}: expected a number, got "${raw}"`)
    if (options.integer && !Number.isInteger(value)) throw new UsageError(`${flag}: expected an integer, got ${raw}`)
    if (options.min !== undefined && value < options.min) throw new UsageError(`${flag}: must be at least ${options.min}, got ${raw}`)
    if (value > options.max) throw new UsageError(`${flag}: must be at most ${options.max}, got ${raw}`)
    return value
  }
}

/** `--seed N`: an integer that doubles stay exact for (the engine's RNG takes a safe integer). */
export const parseSeedFlag = parseNumberFlag('--seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER })

export function parseChoiceFlag<T extends string>(flag: string, choices: readonly T[]) {
  return (raw: string): T => {
    if ((choices as readonly string[]).includes(raw)) return raw as T
    throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got "${raw}"`)
  }
}

/**
 * Checks, before any work starts, that `path` can be written as a file later: its folder exists and is
 * writable, and the path is not a folder. Nothing is created.
 */
export function checkWritableFile(flag: string, path: string): void {
  const absolute = resolve(path)
  if (existsSync(absolute) && statSync(absolute).isDirectory()) throw new UsageError(`${flag}: ${path} is a directory, expected a file`)
  const folder = dirname(absolute)
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`${flag}: cannot write ${path}: ${folder} is not a directory`)
  try {
    accessSync(existsSync(absolute) ? absolute : folder, constants.W_OK)
  } catch {
    throw new UsageError(`${flag}: cannot write ${path}: permission denied`)
  }
}

/** Creates the output folder `path` (and parents) now, so an unusable path fails before any work. */
export function ensureWritableDir(flag: string, path: string): void {
  try {
    mkdirSync(path, { recursive: true })
    accessSync(path, constants.W_OK)
  } catch (error) {
    throw new UsageError(`${flag}: cannot use ${path} as an output directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  if (!statSync(path).isDirectory()) throw new UsageError(`${flag}: ${path} is not a directory`)
}

/** Writes exactly one JSON document to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}
