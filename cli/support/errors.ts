// Exit codes of the CLI contract: 0 success, 2 bad usage or input, 3 integrity failure, 1 anything else.
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_INTEGRITY = 3

/** Bad flag or invalid input; the message names the flag or field path. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** An integrity check failed (audit chain, database check). */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError'
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE
  if (error instanceof IntegrityError) return EXIT_INTEGRITY
  return EXIT_FAILURE
}
