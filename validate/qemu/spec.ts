// What one validation run is: the guest, the migration parameters, and the cap for runs that never converge.
// The same spec drives the real QEMU run and the `cutover migrate` run it is compared with.
export type DirtyPattern = 'cyclic' | 'random'

export interface RunSpec {
  readonly id: string
  readonly memMiB: number
  /** Guest region the dirtier fills with non-zero bytes (then writes to its first hotMiB). */
  readonly fillMiB: number
  readonly hotMiB: number
  readonly ratePagesPerS: number
  readonly pattern: DirtyPattern
  readonly maxBandwidthMbit: number
  readonly downtimeLimitMs: number
  readonly autoConverge: boolean
  readonly xbzrle: boolean
  /** Switch to post-copy after the first bitmap sync (QEMU's migrate-start-postcopy). */
  readonly postcopy: boolean
  /** The guest drops the writes it owed while throttled (its work falls with the throttle). */
  readonly throttleAware: boolean
  /** A migration still running after this long is cancelled and called not converged (both sides). */
  readonly capS: number
}

export const RUN_DEFAULTS = {
  pattern: 'cyclic', downtimeLimitMs: 300, autoConverge: false, xbzrle: false, postcopy: false, throttleAware: false, capS: 30
} as const satisfies Partial<RunSpec>

/** QEMU's max-bandwidth is in bytes/s; the specs say Mbit/s like the CLI. */
export function mbitToBytesPerS(mbit: number): number {
  return Math.round((mbit * 1e6) / 8)
}

/** QEMU is told to switch to post-copy after this many passes (as Cutover's hybrid strategy does by default). */
export const POSTCOPY_AFTER_PASSES = 5
