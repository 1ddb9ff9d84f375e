// Formatting, stage timeline, bounded series, strategy parameters and the topology layout: small pure
// helpers the views rely on.
import { describe, expect, it } from 'vitest'
import { formatBytes, formatMbit, formatMs, formatPct, formatVirtualTime, secondsFieldToUs } from '../../../renderer/src/format'
import { stageSteps } from '../../../renderer/src/logic/stages'
import { appendPoint, emptyColumns, toAligned } from '../../../renderer/src/logic/series'
import { defaultParams, paramsProblem } from '../../../renderer/src/logic/params'
import { engineCatalog } from '../../../engine/index'
import { layoutTopology, utilisationLevel } from '../../../renderer/src/logic/topology-layout'
import { buildWorld } from '../fixtures/world'

describe('format', () => {
  it('formats time, sizes, rates and durations', () => {
    expect(formatVirtualTime(3_723_004_000)).toBe('1:02:03.004')
    expect(formatBytes(1536)).toBe('1.50 KiB')
    expect(formatBytes(6 * 1024 ** 3)).toBe('6.00 GiB')
    expect(formatMbit(500)).toBe('500 Mbit/s')
    expect(formatMbit(10_000)).toBe('10 Gbit/s')
    expect(formatMs(182)).toBe('182 ms')
    expect(formatMs(5240)).toBe('5.24 s')
    expect(formatMs(null)).toBe('–')
    expect(formatPct(4.25)).toBe('4.3 %')
    expect(secondsFieldToUs('1.5')).toBe(1_500_000)
    expect(secondsFieldToUs(' ')).toBeUndefined()
  })
})

const catalog = engineCatalog()
const paramsOf = (name: string) => catalog.strategies.find((s) => s.name === name)?.params ?? []

describe('stage timeline', () => {
  it('marks stages before the current one done and the current one current', () => {
    const steps = stageSteps({ strategy: 'precopy', stage: 'stop-and-copy', outcome: null }, catalog)
    expect(steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'current', 'pending', 'pending'])
  })

  it('adds post-copy for post-copy strategies and skips pre-copy', () => {
    const steps = stageSteps({ strategy: 'postcopy', stage: 'postcopy', outcome: null }, catalog)
    expect(steps.map((s) => s.stage)).toEqual(['pre-migration', 'reservation', 'precopy', 'stop-and-copy', 'commit', 'activation', 'postcopy'])
    expect(steps[2].state).toBe('skipped')
    expect(steps[6].state).toBe('current')
  })

  it('marks the stage where an aborted migration stopped as failed', () => {
    const steps = stageSteps({ strategy: 'precopy', stage: 'commit', outcome: 'aborted' }, catalog)
    expect(steps[4].state).toBe('failed')
    expect(stageSteps({ strategy: 'precopy', stage: 'done', outcome: 'completed' }, catalog).every((s) => s.state === 'done')).toBe(true)
  })
})

describe('series', () => {
  it('appends, replaces a repeated time and drops the oldest beyond capacity', () => {
    const columns = emptyColumns(1)
    appendPoint(columns, 1, [10], 3)
    appendPoint(columns, 1, [11], 3)
    appendPoint(columns, 2, [null], 3)
    appendPoint(columns, 3, [30], 3)
    appendPoint(columns, 4, [40], 3)
    expect(toAligned(columns)).toEqual([[2, 3, 4], [null, 30, 40]])
  })
})

describe('strategy parameters', () => {
  it('fills the engine catalog\'s defaults and rejects a minimum above the maximum', () => {
    expect(defaultParams(paramsOf('precopy'))).toEqual({ rateMinMbitPerS: 100, rateMaxMbitPerS: 500 })
    expect(defaultParams(paramsOf('precopy-qemu'))).toEqual({ maxBandwidthMbitPerS: 1000, downtimeLimitMs: 300, autoConverge: false })
    expect(defaultParams(paramsOf('postcopy'))).toEqual({})
    expect(paramsProblem(paramsOf('precopy'), { rateMinMbitPerS: 600, rateMaxMbitPerS: 500 })).toMatch(/must not exceed/)
    expect(paramsProblem(paramsOf('precopy-qemu'), { maxBandwidthMbitPerS: 0, downtimeLimitMs: 300, autoConverge: true })).toMatch(/at least 1/)
    expect(paramsProblem(paramsOf('precopy'), defaultParams(paramsOf('precopy')))).toBeNull()
  })
})

describe('topology layout', () => {
  it('places core switches above top-of-rack switches above hosts', () => {
    const world = buildWorld()
    const topo = layoutTopology({ switchIds: world.switches.map((s) => s.id), hostIds: world.hosts.map((h) => h.id), links: world.links }, 1000)
    const y = (id: string) => topo.nodes.find((n) => n.id === id)!.y
    expect(y('core-1')).toBeLessThan(y('tor-1'))
    expect(y('tor-1')).toBeLessThan(y('host-01'))
    expect(topo.edges).toHaveLength(world.links.length)
  })

  it('collapses many hosts into one node per switch keeping the busiest link', () => {
    const world = buildWorld({ racks: 10, hostsPerRack: 10 })
    const topo = layoutTopology({ switchIds: world.switches.map((s) => s.id), hostIds: world.hosts.map((h) => h.id), links: world.links }, 1000)
    const groups = topo.nodes.filter((n) => n.kind === 'hosts')
    expect(groups).toHaveLength(10)
    expect(groups[0].label).toBe('10 hosts')
    const rack1 = topo.edges.find((e) => e.to.id === 'hosts@tor-1')!
    expect(rack1.utilisationPct).toBe(86)
    expect(utilisationLevel(rack1.utilisationPct)).toBe('hot')
  })
})
