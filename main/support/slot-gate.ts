// A fixed number of slots for work that is expensive to run side by side (each experiment is a worker thread
// with its own heap). Callers take a slot or are told at once that none is free; nothing queues unbounded.
export class SlotGate {
  private used = 0

  constructor(readonly limit: number) {
    if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new RangeError(`slot limit must be a positive integer, got ${limit}`)
  }

  get inUse(): number {
    return this.used
  }

  /** A release function (idempotent) if a slot was free, else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.used >= this.limit) return undefined
    this.used++
    let released = false
    return () => {
      if (released) return
      released = true
      this.used--
    }
  }
}
