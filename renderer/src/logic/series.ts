// Bounded time series kept by stores from successive snapshots: columnar arrays (x, then one array per
// series) in the shape uPlot's setData takes. Appending never grows past `capacity` points.

export interface Columns {
  readonly x: number[]
  readonly ys: (number | null)[][]
}

export function emptyColumns(seriesCount: number): Columns {
  return { x: [], ys: Array.from({ length: seriesCount }, () => []) }
}

/**
 * Appends one point. A time at or before the last one replaces the last point (a repeated snapshot must not
 * draw a vertical line). Drops the oldest points beyond `capacity`. Returns the same object (mutated).
 */
export function appendPoint(columns: Columns, x: number, values: readonly (number | null)[], capacity: number): Columns {
  const last = columns.x.length - 1
  if (last >= 0 && x <= columns.x[last]) {
    columns.ys.forEach((ys, i) => { ys[last] = values[i] ?? null })
    return columns
  }
  columns.x.push(x)
  columns.ys.forEach((ys, i) => ys.push(values[i] ?? null))
  const excess = columns.x.length - capacity
  if (excess > 0) {
    columns.x.splice(0, excess)
    for (const ys of columns.ys) ys.splice(0, excess)
  }
  return columns
}

/** A copy in uPlot's AlignedData shape ([x, ...ys]); copies so a chart never aliases store arrays. */
export function toAligned(columns: Columns): [number[], ...(number | null)[][]] {
  return [columns.x.slice(), ...columns.ys.map((ys) => ys.slice())]
}
