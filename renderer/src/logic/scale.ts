// Linear scales with "nice" ticks (1, 2, 2.5, 5 × 10^k) for hand-drawn SVG charts such as the box plots.

export interface LinearScale { readonly min: number; readonly max: number; readonly ticks: readonly number[] }

/** A domain covering [low, high], widened to nice tick boundaries, with about `count` ticks. */
export function niceScale(low: number, high: number, count = 5): LinearScale {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return { min: 0, max: 1, ticks: [0, 0.5, 1] }
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1
    return niceScale(low - pad, high + pad, count)
  }
  const raw = (high - low) / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power
  const min = Math.floor(low / step) * step
  const max = Math.ceil(high / step) * step
  const ticks: number[] = []
  for (let v = min; v <= max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)))
  return { min, max, ticks }
}

/** Maps a value in the scale's domain to [rangeLow, rangeHigh] (rangeHigh may be smaller, for SVG y). */
export function project(scale: LinearScale, value: number, rangeLow: number, rangeHigh: number): number {
  const span = scale.max - scale.min || 1
  return rangeLow + ((value - scale.min) / span) * (rangeHigh - rangeLow)
}

/** Tick label with a precision suited to the step. */
export function tickLabel(value: number): string {
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`
  if (abs >= 1e4) return `${(value / 1e3).toFixed(0)}k`
  if (abs >= 100 || value === 0) return value.toFixed(0)
  if (abs >= 1) return String(Number(value.toFixed(2)))
  return String(Number(value.toPrecision(2)))
}
