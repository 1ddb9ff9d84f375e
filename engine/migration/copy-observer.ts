// Counts the copies of one VM that execute, per host, from what the hosts do (a hypervisor stops the VM,
// starts it, or dies with it), not from the migration's own bookkeeping: a protocol bug that starts the
// destination while the source still runs shows up here as two running copies even if the migration's
// counter says one. The lab wires it into the VM handle and host hooks it gives the migration.
export class RunningCopiesObserver {
  private readonly running = new Set<string>()
  private maxCount: number

  constructor(initialHost: string) {
    this.running.add(initialHost)
    this.maxCount = 1
  }

  /** A copy started executing on `host`. */
  started(host: string): void {
    this.running.add(host)
    this.maxCount = Math.max(this.maxCount, this.running.size)
  }

  /** The copy on `host` stopped executing (suspended, or its host died). */
  stopped(host: string): void {
    this.running.delete(host)
  }

  get count(): number {
    return this.running.size
  }

  /** The most copies ever executing at one instant. */
  get maxRunning(): number {
    return this.maxCount
  }

  get hosts(): readonly string[] {
    return [...this.running].sort()
  }
}
