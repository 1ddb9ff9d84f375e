// Windowing math for the datacenter grid: hosts grouped by rack, laid out as header rows and fixed-height
// card rows; only rows intersecting the viewport (plus overscan) are rendered. Pure and DOM-free.

export interface GridGroup { readonly key: string; readonly count: number }

export type GridRow =
  | { readonly kind: 'header'; readonly key: string; readonly group: string; readonly top: number; readonly height: number }
  | { readonly kind: 'cards'; readonly key: string; readonly group: string; readonly top: number; readonly height: number;
      /** Index of the first item of this row within its group. */ readonly start: number; readonly end: number }

export interface GridLayout { readonly rows: readonly GridRow[]; readonly totalHeight: number; readonly columns: number }

export interface GridMetrics { readonly headerHeight: number; readonly rowHeight: number; readonly gap: number }

/** How many cards of at least `minWidth` fit in `width` with `gap` between them (at least 1). */
export function columnsFor(width: number, minWidth: number, gap: number): number {
  if (width <= 0 || minWidth <= 0) return 1
  return Math.max(1, Math.floor((width + gap) / (minWidth + gap)))
}

/** Rows for every group: one header, then ceil(count / columns) card rows; tops are cumulative. */
export function layoutRows(groups: readonly GridGroup[], columns: number, metrics: GridMetrics): GridLayout {
  const rows: GridRow[] = []
  let top = 0
  for (const group of groups) {
    rows.push({ kind: 'header', key: `h:${group.key}`, group: group.key, top, height: metrics.headerHeight })
    top += metrics.headerHeight
    for (let start = 0; start < group.count; start += columns) {
      const end = Math.min(group.count, start + columns)
      rows.push({ kind: 'cards', key: `r:${group.key}:${start}`, group: group.key, top, height: metrics.rowHeight, start, end })
      top += metrics.rowHeight + metrics.gap
    }
  }
  return { rows, totalHeight: top, columns }
}

/** Index of the first row whose bottom is below `y` (binary search over the sorted tops). */
export function firstRowBelow(rows: readonly GridRow[], y: number): number {
  let low = 0
  let high = rows.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (rows[mid].top + rows[mid].height <= y) low = mid + 1
    else high = mid
  }
  return low
}

/** Half-open range [start, end) of rows visible in [scrollTop, scrollTop + viewportHeight] widened by overscan px. */
export function visibleRows(rows: readonly GridRow[], scrollTop: number, viewportHeight: number, overscan: number): [number, number] {
  const start = firstRowBelow(rows, Math.max(0, scrollTop - overscan))
  const bottom = scrollTop + viewportHeight + overscan
  let end = start
  while (end < rows.length && rows[end].top < bottom) end += 1
  return [start, end]
}
