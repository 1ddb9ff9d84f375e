// Goal: the trace format parses as documented, errors name the line and field, and replay follows the
// trace clock (slower when throttled, looping when asked). Method: small literal traces ticked directly.
import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../engine/kernel'
import { GuestMemory, MIB } from '../../../engine/memory'
import { createWorkload, parseWriteTrace, type TraceSpec } from '../../../engine/workload'

const TRACE = [
  '# recorded on a test box',
  'timeUs,firstPage,pageCount,source',
  '0, 10, 4',
  '',
  '5000,100,1,device',
  '5000,200,2,guest',
  '25000,7,1'
].join('\n')

function replay(spec: TraceSpec, ticks: number, cpuShare = 1) {
  const memory = new GuestMemory({ memBytes: 16 * MIB })
  const workload = createWorkload(spec, deriveStream(1, 'trace'))
  const perTick: number[] = []
  for (let i = 1; i <= ticks; i++) {
    const report = workload.tick(memory, { nowUs: i * 10_000, durationUs: 10_000, cpuShare })
    perTick.push(report.guestPageWrites + report.devicePageWrites)
  }
  return { memory, perTick }
}

describe('trace format', () => {
  it('parses rows, skipping comments, blanks and the header', () => {
    const parsed = parseWriteTrace(TRACE)
    if (!parsed.ok) throw new Error(parsed.error)
    expect(parsed.trace.rowCount).toBe(4)
    expect(Array.from(parsed.trace.firstPages)).toEqual([10, 100, 200, 7])
    expect(Array.from(parsed.trace.deviceRows)).toEqual([0, 1, 0, 0])
    expect(parsed.trace.lastUs).toBe(25_000)
    expect(parsed.trace.pagesNeeded).toBe(202)
  })

  it('reads CSV as CSV: CRLF line ends, quoted fields, comments between rows keep line numbers right', () => {
    const parsed = parseWriteTrace('# made on Windows\r\ntimeUs,firstPage,pageCount,source\r\n"0","3","2",guest\r\n\r\n# a pause\r\n10,5,1,"device"\r\n')
    if (!parsed.ok) throw new Error(parsed.error)
    expect(Array.from(parsed.trace.firstPages)).toEqual([3, 5])
    expect(Array.from(parsed.trace.deviceRows)).toEqual([0, 1])
    expect(parseWriteTrace('# header\n\n0,1,1\n0,"x",1')).toEqual({ ok: false, error: 'line 4: firstPage: expected an integer ≥ 0, got "x"' })
    const unterminated = parseWriteTrace('0,1,1\n0,"1,1')
    expect(unterminated.ok).toBe(false)
  })

  it.each([
    ['0,1', 'line 1: expected timeUs,firstPage,pageCount[,source], got 2 fields'],
    ['x,1,1', 'line 1: timeUs: expected an integer ≥ 0, got "x"'],
    ['10,1,1\n5,1,1', 'line 2: timeUs: 5 is before the previous row\'s 10'],
    ['0,-1,1', 'line 1: firstPage: expected an integer ≥ 0, got "-1"'],
    ['0,1,0', 'line 1: pageCount: expected an integer ≥ 1, got "0"'],
    ['0,1,1,dma', 'line 1: source: expected guest or device, got "dma"']
  ])('rejects %j with a message naming the line and field', (text, message) => {
    expect(parseWriteTrace(text)).toEqual({ ok: false, error: message })
  })
})

describe('trace replay', () => {
  it('applies each row in the tick that covers its time', () => {
    const { memory, perTick } = replay({ kind: 'trace', csv: TRACE }, 4)
    expect(perTick).toEqual([7, 0, 1, 0])
    expect(memory.versionOf(13)).toBe(1)
    expect(memory.devicePageWrites).toBe(1)
  })

  it('replays proportionally slower when throttled', () => {
    expect(replay({ kind: 'trace', csv: TRACE }, 6, 0.5).perTick).toEqual([4, 3, 0, 0, 0, 1])
  })

  it('loops with the given period', () => {
    const { perTick } = replay({ kind: 'trace', csv: TRACE, loop: true, periodUs: 30_000 }, 6)
    expect(perTick).toEqual([7, 0, 1, 7, 0, 1])
  })

  it('refuses a trace that writes beyond memory', () => {
    expect(() => replay({ kind: 'trace', csv: '0,5000,1' }, 1)).toThrow(/memory has 4096 pages/)
  })
})
