// Goal: host power follows the 11-point SPECpower tables with linear interpolation, and a linear model is the
// table of a straight line. Method: values at and between table points, clamping outside 0…1.
import { describe, expect, it } from 'vitest'
import { linearPowerTable, POWER_PRESETS_W, powerAtW, powerTableOf } from '../../../engine/cluster/power'

describe('power model', () => {
  it('reads the table at its points and interpolates between them', () => {
    const g4 = POWER_PRESETS_W['hp-proliant-ml110-g4']
    expect(powerAtW(g4, 0)).toBe(86)
    expect(powerAtW(g4, 0.5)).toBe(102)
    expect(powerAtW(g4, 0.55)).toBeCloseTo(104, 9)
    expect(powerAtW(g4, 1)).toBe(117)
  })

  it('clamps below 0 % and above 100 %', () => {
    const table = linearPowerTable(100, 300)
    expect(powerAtW(table, -0.2)).toBe(100)
    expect(powerAtW(table, 1.7)).toBe(300)
  })

  it('builds tables from the scenario forms', () => {
    expect(powerTableOf({ kind: 'linear', idleW: 100, maxW: 200 })[5]).toBe(150)
    expect(powerTableOf({ kind: 'preset', name: 'hp-proliant-ml110-g5' })[10]).toBe(135)
    expect(powerTableOf({ kind: 'table', wattsAt: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] })[3]).toBe(4)
  })
})
