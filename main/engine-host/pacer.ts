// The pacer maps wall time to virtual time: the only place that reads a real clock, and it reads it through
// an injected `WallClock`, so tests drive it with a fake. speed = virtual seconds per wall second; null runs
// as fast as possible within a per-frame budget of virtual time.
export interface WallClock {
  nowMs(): number
}

export const systemClock: WallClock = { nowMs: () => performance.now() }

export interface PacerState {
  readonly playing: boolean
  readonly speed: number | null
}

/** Virtual µs advanced per frame when running "as fast as possible" (the frame is then bounded by work). */
export const FAST_FRAME_US = 60_000_000

export class Pacer {
  private playing = false
  private speed: number | null = 1
  private lastWallMs = 0

  constructor(private readonly clock: WallClock) {}

  get state(): PacerState {
    return { playing: this.playing, speed: this.speed }
  }

  play(): void {
    if (this.playing) return
    this.playing = true
    this.lastWallMs = this.clock.nowMs()
  }

  pause(): void {
    this.playing = false
  }

  setSpeed(speed: number | null): void {
    if (speed !== null && !(speed > 0)) throw new RangeError(`speed must be positive or null, got ${speed}`)
    this.lastWallMs = this.clock.nowMs()
    this.speed = speed
  }

  /** How many virtual µs to advance now, given the wall time since the previous call. */
  takeDueUs(): number {
    if (!this.playing) return 0
    const nowMs = this.clock.nowMs()
    const elapsedMs = Math.max(0, nowMs - this.lastWallMs)
    this.lastWallMs = nowMs
    if (this.speed === null) return FAST_FRAME_US
    // Cap a single frame at 1 s of wall time so a stalled loop does not produce a huge jump.
    return Math.round(Math.min(elapsedMs, 1_000) * 1_000 * this.speed)
  }
}
