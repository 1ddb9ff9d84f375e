// How much virtual time one paced advance may cover. The worker runs one message at a time, so a command (a
// drop, a click) waits for the advance in flight; when the worker cannot keep up (a big world, a busy machine)
// the pacer would hand it up to a second of work per advance. Judged from the worker's recent pace, each
// advance is kept to about ADVANCE_WALL_MS_MAX of work: the wait stays short and the simulation still runs as
// fast as the worker can.
//
// A command can change the cost of virtual time by orders of magnitude (a page-level 8 GiB migration makes a
// virtual second of ui-200 cost 25-380 ms instead of 2 ms), so after one the pace measured before it no longer
// holds: the next advances are short probes (PROBE_US) until one has been timed without its snapshot (the worker
// times its own work), and that measurement replaces the old pace instead of being averaged into it. An advance
// that cannot be timed so still ends the probing after PROBES_MAX of them.

export const ADVANCE_WALL_MS_MAX = 50
/** Advances shorter than this say little about the worker's pace (timer and message noise dominate): they count as this long. */
const PACE_SAMPLE_MS_MIN = 5
/** Virtual µs one advance may always cover, so a pessimistic estimate never stops the clock. */
export const ADVANCE_US_MIN = 1_000
/** Virtual µs an advance covers while the pace is being re-learnt after a command. */
export const PROBE_US = 10_000
/** Probes after which, still unmeasured, the pace known before the command is trusted again (never probe for ever). */
export const PROBES_MAX = 3
/** Weight of the newest sample in the moving average (one slow advance does not stall the clock). */
const NEWEST_WEIGHT = 0.3

export class AdvancePace {
  /** Virtual µs per wall ms; null until an advance long enough to judge by. */
  private usPerMs: number | null = null
  private probing = false
  private probesLeft = 0

  constructor(private readonly wallMsMax: number = ADVANCE_WALL_MS_MAX) {}

  /** One advance timed without its snapshot (a snapshot's fixed cost is not pace): `advancedUs` of virtual time in `wallMs`. */
  note(advancedUs: number, wallMs: number): void {
    if (!(advancedUs > 0) || !(wallMs >= 0)) return
    // A capped advance that ran faster than the floor still counts, at the floor: otherwise a low estimate would
    // cap every advance below the floor and never be corrected.
    const sample = advancedUs / Math.max(wallMs, PACE_SAMPLE_MS_MIN)
    this.usPerMs = this.usPerMs === null || this.probing ? sample : (1 - NEWEST_WEIGHT) * this.usPerMs + NEWEST_WEIGHT * sample
    this.probing = false
  }

  /** The world changed (a command was applied): probe before trusting a pace again. */
  invalidate(): void {
    this.probing = true
    this.probesLeft = PROBES_MAX
  }

  /** An advance that could not be timed (a snapshot's cost mixed in): it still uses up a probe. */
  unmeasured(): void {
    if (this.probing && --this.probesLeft <= 0) this.probing = false
  }

  /** The most virtual time the next advance should cover; Infinity while the pace is unknown (a new world). */
  capUs(): number {
    if (this.probing) return PROBE_US
    return this.usPerMs === null ? Infinity : Math.max(ADVANCE_US_MIN, Math.round(this.usPerMs * this.wallMsMax))
  }
}
