// Flag parsers for commander: each rejects bad input with a UsageError naming the flag.
import { UsageError } from './errors'

export function parseNumberFlag(flag: string, options: { min?: number; max?: number; integer?: boolean } = {}) {
  return (raw: string): number => {
    const value = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag}: expected a number, got "${raw}"`)
    if (options.integer && !Number.isInteger(value)) throw new UsageError(`${flag}: expected an integer, got ${raw}`)
    if (options.min !== undefined && value < options.min) throw new UsageError(`${flag}: must be at least ${options.min}, got ${raw}`)
    if (options.max !== undefined && value > options.max) throw new UsageError(`${flag}: must be at most ${options.max}, got ${raw}`)
    return value
  }
}

export function parseChoiceFlag<T extends string>(flag: string, choices: readonly T[]) {
  return (raw: string): T => {
    if ((choices as readonly string[]).includes(raw)) return raw as T
    throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got "${raw}"`)
  }
}

/** Writes exactly one JSON document to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}
