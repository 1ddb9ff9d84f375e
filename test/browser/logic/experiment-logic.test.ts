// Logic of the Experiments view that stays in the renderer: chart scales, column order, seed ranges (the
// statistics come computed from the pipeline; their tests are in test/engine/metrics and test/main/experiments).
import { describe, expect, it } from 'vitest'
import { niceScale, project } from '../../../renderer/src/logic/scale'
import { policiesOf, seedRange } from '../../../renderer/src/logic/experiment-table'

describe('experiment view logic', () => {
  it('builds nice scales and projects values', () => {
    const scale = niceScale(0.3, 9.2, 5)
    expect(scale.ticks).toEqual([0, 2, 4, 6, 8, 10])
    expect(project(scale, 5, 100, 0)).toBe(50)
    expect(niceScale(3, 3).min).toBeLessThan(3)
  })

  it('lists policies in the comparison\'s column order and builds seed ranges', () => {
    const cell = (policy: string) => ({ policy, values: [], summary: {} as never, text: '' })
    expect(policiesOf({ comparison: [{ byPolicy: [cell('drs'), cell('none')] }] })).toEqual(['drs', 'none'])
    expect(policiesOf(null)).toEqual([])
    expect(seedRange(3, 6)).toEqual([3, 4, 5, 6])
    expect(seedRange(1, 100)).toHaveLength(50)
    expect(seedRange(5, 1)).toEqual([])
  })
})
