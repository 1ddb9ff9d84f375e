// The heat map's canvas paints each square under its own host's button, whatever the rack's width: the grid
// lays the buttons out on the fractional width, so the canvas must follow the buttons, not a rounded width.
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-vue'
import { defineComponent, h } from 'vue'
import HeatRack, { type HeatCell } from '../../renderer/src/components/datacenter/HeatRack.vue'
import '../../renderer/src/styles.css'
import { squarePixel } from './fixtures/canvas'

// Every host its own colour, so a square painted under the wrong button shows another host's colour.
const cells: HeatCell[] = Array.from({ length: 40 }, (_, index) => ({
  id: `host-${String(index).padStart(2, '0')}`, colour: `rgb(${index * 6}, 120, 200)`, maintenance: false, label: `host ${index}`, down: false
}))

describe('heat rack layout', () => {
  it('paints the 18th host\'s square under its button at a fractional width (302.6 px: 17 columns, not 18)', async () => {
    const Harness = defineComponent({ render: () => h('div', { style: 'width: 302.6px' }, [h(HeatRack, { rack: 'rack-1', cells })]) })
    const screen = await render(Harness)
    const grid = screen.container.querySelector<HTMLElement>('.cells')
    if (grid === null) throw new Error('no cells grid')
    expect(grid.getBoundingClientRect().width).toBeCloseTo(302.6, 1)
    const eighteenth = screen.getByTestId('heat-host-17').element()
    // The grid wrapped it to the second row.
    expect((eighteenth as HTMLElement).offsetTop).toBeGreaterThan((screen.getByTestId('heat-host-00').element() as HTMLElement).offsetTop)
    await expect.poll(() => squarePixel(eighteenth).join()).toBe([17 * 6, 120, 200, 255].join())
    expect(squarePixel(screen.getByTestId('heat-host-39').element()).join()).toBe([39 * 6, 120, 200, 255].join())
  })
})
