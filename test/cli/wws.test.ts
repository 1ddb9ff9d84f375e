// Goal: `cutover wws` honours the CLI contract: one JSON document with --json, a readable table otherwise,
// and exit 2 with a message naming the flag for bad input. Method: spawn the real binary (node
// bin/cutover.js) from the repo root; each spawn costs about a second, so the cases are few and broad.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'cutover-wws-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function wws(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/cutover.js', 'wws', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

interface WwsDocument {
  workload: { kind: string; hotMiB?: number; file?: string }
  memBytes: number; pageBytes: number; sampleMs: number; windowMs: number
  series: { tMs: number; wwsBytes: number; dirtyPagesPerS: number }[]
  summary: { wwsBytesMax: number; wwsBytesMean: number; wwsBytesFinal: number; dirtyPagesPerSMean: number }
}

describe('cutover wws', () => {
  it('prints one JSON document with the series and summary (--json)', () => {
    const { code, stdout, stderr } = wws('--workload', 'hotset', '--mem-mib', '64', '--hot-mib', '8', '--dirty-pages-per-s', '2048',
      '--pattern', 'seq', '--duration-s', '10', '--seed', '3', '--json')
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const doc = JSON.parse(stdout) as WwsDocument
    expect(doc).toMatchObject({ memBytes: 64 * 2 ** 20, pageBytes: 4096, sampleMs: 50, windowMs: 8000 })
    expect(doc.workload).toMatchObject({ kind: 'hotset', hotMiB: 8 })
    expect(doc.series).toHaveLength(200)
    expect(doc.series[0]).toEqual({ tMs: 50, wwsBytes: expect.any(Number), dirtyPagesPerS: expect.any(Number) })
    expect(doc.summary.wwsBytesFinal).toBe(8 * 2 ** 20)
  })

  it('prints a readable table and replays a trace file', () => {
    const trace = join(scratch, 'trace.csv')
    writeFileSync(trace, 'timeUs,firstPage,pageCount\n0,0,16\n500000,100,8,device\n')
    const { code, stdout } = wws('--workload', `trace:${trace}`, '--mem-mib', '16', '--duration-s', '2')
    expect(code).toBe(0)
    expect(stdout).toMatch(/WWS \(MiB\)/)
    expect(stdout).toMatch(/WWS max 0\.09 MiB/)
  })

  it.each([
    [['--mem-mib', '8'], '--mem-mib'],
    [['--workload', 'hotset', '--pattern', 'spiral'], '--pattern'],
    [['--workload', 'muncher', '--hot-mib', '4'], '--hot-mib'],
    [['--workload', 'hotset', '--mem-mib', '64', '--hot-mib', '128'], '--hot-mib']
  ])('exits 2 naming the flag for %j', (args, flag) => {
    const { code, stderr, stdout } = wws(...args, '--duration-s', '1')
    expect(code).toBe(2)
    expect(stderr).toContain(flag)
    expect(stdout).toBe('')
  })

  it('runs a paper preset at its set-up\'s VM size (quake3: 64 MiB, 400–500 pages/s), and rejects generator flags with it', () => {
    const { code, stdout } = wws('--workload', 'quake3', '--duration-s', '10', '--json')
    expect(code).toBe(0)
    const doc = JSON.parse(stdout) as WwsDocument
    expect(doc.memBytes).toBe(64 * 2 ** 20)
    expect(doc.workload.kind).toBe('game')
    expect(doc.summary.dirtyPagesPerSMean).toBeGreaterThanOrEqual(400)
    expect(doc.summary.dirtyPagesPerSMean).toBeLessThanOrEqual(500)
    const traced = JSON.parse(wws('--workload', 'oltp-osdb', '--duration-s', '2', '--json').stdout) as { workload: Record<string, unknown> }
    expect(traced.workload).toMatchObject({ kind: 'trace', preset: 'oltp-osdb' })
    expect(traced.workload.csv).toBeUndefined()
    const bad = wws('--workload', 'specweb99', '--hot-mib', '8')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--hot-mib')
  })
})
