// Virtual time: an integer count of microseconds. Conversions round to the nearest microsecond so that
// no floating-point time ever reaches the event queue.

/** Virtual time or a duration in integer microseconds. */
export type SimTimeUs = number

export const US_PER_MS = 1_000
export const US_PER_S = 1_000_000

export function sToUs(seconds: number): SimTimeUs {
  return Math.round(seconds * US_PER_S)
}

export function msToUs(milliseconds: number): SimTimeUs {
  return Math.round(milliseconds * US_PER_MS)
}

export function usToMs(durationUs: SimTimeUs): number {
  return durationUs / US_PER_MS
}
