// Broken invariants halt the engine loudly with a typed error; domain outcomes are events, never exceptions.

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation'
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message)
}
