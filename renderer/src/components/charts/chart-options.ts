// uPlot option builders shared by the charts: theme-aware axes, time axes in virtual seconds, grouped bars.
// Built once per chart; data arrives later through setData.
import uPlot from 'uplot'
import { themePalette } from './palette'

export type SeriesSpec = { readonly label: string; readonly color: string; readonly dash?: number[]; readonly fill?: boolean; readonly width?: number }

const font = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'

export function axis(label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    label, font, labelFont: font, labelSize: 18, size: 48, gap: 4,
    stroke: () => themePalette().axis,
    grid: { stroke: () => themePalette().grid, width: 1 },
    ticks: { stroke: () => themePalette().grid, width: 1, size: 4 },
    ...extra
  }
}

export function lineSeries(spec: SeriesSpec): uPlot.Series {
  return {
    label: spec.label, stroke: spec.color, width: spec.width ?? 1.75, dash: spec.dash, spanGaps: false,
    fill: spec.fill === true ? `${spec.color}22` : undefined, points: { show: false }
  }
}

/** Side-by-side bars: series `slot` of `slots` at each x. */
export function barSeries(spec: SeriesSpec, slot: number, slots: number): uPlot.Series {
  const bars = uPlot.paths.bars?.({ size: [0.8 / slots, 28], align: slots === 1 ? 0 : slot === 0 ? -1 : 1, gap: 1 })
  return { label: spec.label, stroke: spec.color, fill: `${spec.color}cc`, width: 0, paths: bars, points: { show: false } }
}

export function timeAxisX(label = 'virtual time (s)'): uPlot.Axis {
  return axis(label, { size: 36, values: (_u, splits) => splits.map((s) => formatSeconds(s)) })
}

function formatSeconds(s: number): string {
  if (Math.abs(s) >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`
  if (Math.abs(s) >= 60) return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`
  return `${Number(s.toFixed(1))}s`
}

/** Base options: no time scale (virtual seconds are plain numbers), compact legend, fixed height. */
export function baseOptions(height: number, series: uPlot.Series[], axes: uPlot.Axis[], extra: Partial<uPlot.Options> = {}): Omit<uPlot.Options, 'width'> {
  return {
    height, series: [{ label: 'x' }, ...series], axes,
    scales: { x: { time: false } },
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    padding: [8, 8, 0, 0],
    ...extra
  }
}

/**
 * A log₁₀ y scale: series that differ by orders of magnitude (a 10 Gbit/s link beside a 40 Mbit/s dirty rate,
 * a first round of a million pages beside later ones of a few hundred) all stay visible.
 */
export function logScaleY(): uPlot.Scale {
  return { distr: 3, log: 10, range: (_u, min, max) => uPlot.rangeLog(Math.max(min, 1e-3), Math.max(max, 1), 10, true) }
}

/** Decades only on a log axis: uPlot's default splits (1…9 × 10ⁿ) print a label per split and overlap. */
export function decadesOnly(_u: uPlot, splits: number[]): (number | null)[] {
  return splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null))
}

/** Log scales cannot show 0 or less: such points become gaps (null), not a fake floor. */
export function positiveOrNull(values: readonly (number | null)[]): (number | null)[] {
  return values.map((v) => (v === null || v <= 0 ? null : v))
}
