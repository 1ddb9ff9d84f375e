// Broken invariants halt the engine loudly with a typed error; domain outcomes are events, never exceptions.

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation'
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message)
}

export function assertInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new InvariantViolation(`${what} must be a safe integer, got ${value}`)
}
