// Windowing math for the host grid: columns for a width, header + card rows per rack, and the rows that
// intersect a viewport; with 1,000 hosts only a handful of rows are visible.
import { describe, expect, it } from 'vitest'
import { columnsFor, firstRowBelow, layoutRows, visibleRows } from '../../../renderer/src/logic/virtual-grid'

const metrics = { headerHeight: 30, rowHeight: 100, gap: 10 }

describe('virtual grid', () => {
  it('fits as many columns as the minimum width allows, at least one', () => {
    expect(columnsFor(1000, 230, 10)).toBe(4)
    expect(columnsFor(940, 230, 10)).toBe(3)
    expect(columnsFor(100, 230, 10)).toBe(1)
    expect(columnsFor(0, 230, 10)).toBe(1)
  })

  it('lays out a header and ceil(count / columns) card rows per group with cumulative tops', () => {
    const layout = layoutRows([{ key: 'a', count: 5 }, { key: 'b', count: 2 }], 2, metrics)
    expect(layout.rows.map((r) => r.kind)).toEqual(['header', 'cards', 'cards', 'cards', 'header', 'cards'])
    expect(layout.rows.map((r) => r.top)).toEqual([0, 30, 140, 250, 360, 390])
    const last = layout.rows[3]
    expect(last.kind === 'cards' && [last.start, last.end]).toEqual([4, 5])
    expect(layout.totalHeight).toBe(500)
  })

  it('finds the first row below a y by binary search', () => {
    const { rows } = layoutRows([{ key: 'a', count: 10 }], 1, metrics)
    expect(firstRowBelow(rows, 0)).toBe(0)
    expect(firstRowBelow(rows, 30)).toBe(1)
    expect(firstRowBelow(rows, 131)).toBe(2)
    expect(firstRowBelow(rows, 1e9)).toBe(rows.length)
  })

  it('renders only the rows in view (plus overscan) for 1,000 hosts', () => {
    const groups = Array.from({ length: 50 }, (_, i) => ({ key: `rack-${i}`, count: 20 }))
    const layout = layoutRows(groups, 4, metrics)
    const [start, end] = visibleRows(layout.rows, 20_000, 800, 200)
    expect(end - start).toBeGreaterThan(5)
    expect(end - start).toBeLessThan(15)
    const shown = layout.rows.slice(start, end)
    expect(shown[0].top + shown[0].height).toBeGreaterThan(20_000 - 200)
    expect(shown[shown.length - 1].top).toBeLessThan(20_000 + 800 + 200)
  })

  it('returns an empty range past the end', () => {
    const { rows } = layoutRows([{ key: 'a', count: 4 }], 2, metrics)
    expect(visibleRows(rows, 10_000, 500, 0)).toEqual([rows.length, rows.length])
  })
})
