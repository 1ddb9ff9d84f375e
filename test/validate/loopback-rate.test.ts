// The loopback rate meter: the C writer's output parsed at the boundary, its build cached, and the fallback to
// Node where it cannot be built. The writer itself runs only where gcc is present.
import { afterEach, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { machineLoopbackMbit, parseWriterOutput, writerBurstRates, writerLoopbackMbit, writerSampleBurstMbit, writerSampleMbit } from '../../validate/qemu/loopback-rate'
import { ensureLoopbackWriter, SetupError } from '../../validate/qemu/setup'

const hasGcc = spawnSync('sh', ['-c', 'command -v gcc']).status === 0
const MiB = 2 ** 20
const temporary: string[] = []
function tempCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-loopback-'))
  temporary.push(dir)
  return dir
}
afterEach(() => { for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true }) })

describe('parseWriterOutput', () => {
  it('reads one sample per line and rates it from first write to last byte delivered', () => {
    const samples = parseWriterOutput('{"bytes":134348544,"writeUs":446892.9,"deliverUs":448927.9}\n' +
      '{"bytes":1000000,"writeUs":3000,"deliverUs":4000}\n')
    expect(samples).toHaveLength(2)
    expect(samples[1]).toEqual({ bytes: 1_000_000, writeUs: 3000, deliverUs: 4000 })
    expect(writerSampleMbit(samples[1])).toBe(2000)
    expect(writerSampleMbit(samples[0])).toBeCloseTo(2394.1, 1)
  })

  it('reads a burst after the transfer and rates it on the writer\'s clock (a recorded line: one busy loop sharing its core, 2026-12-03)', () => {
    const [sample] = parseWriterOutput('{"bytes":67239936,"writeUs":167820.8,"deliverUs":171874.8,' +
      '"burstBytes":16809984,"burstWriteUs":20286.6,"burstDeliverUs":20793.7}\n')
    expect(sample.burstBytes).toBe(16_809_984)
    expect(writerSampleBurstMbit(sample)).toBeCloseTo(6629.0, 1)
    expect(writerSampleMbit(sample)).toBeCloseTo(3129.7, 1)
    expect(writerSampleBurstMbit(parseWriterOutput('{"bytes":1000000,"writeUs":3000,"deliverUs":4000}')[0])).toBeNull()
  })

  it('wants the three burst fields together', () => {
    expect(() => parseWriterOutput('{"bytes":1,"writeUs":1,"deliverUs":1,"burstBytes":4096}')).toThrow(/line 1: burstBytes: .*together/)
    expect(() => parseWriterOutput('{"bytes":1,"writeUs":1,"deliverUs":1,"burstBytes":4096,"burstWriteUs":0,"burstDeliverUs":1}'))
      .toThrow(/line 1: burstWriteUs/)
  })

  it('names the line and the field that are wrong', () => {
    expect(() => parseWriterOutput('')).toThrow(/no transfer/)
    expect(() => parseWriterOutput('{"bytes":1,"writeUs":1,"deliverUs":1}\nusage: x')).toThrow(/line 2 is not JSON/)
    expect(() => parseWriterOutput('{"bytes":1,"writeUs":1,"deliverUs":0}')).toThrow(/line 1: deliverUs/)
    expect(() => parseWriterOutput('{"bytes":1.5,"writeUs":1,"deliverUs":1}')).toThrow(/line 1: bytes/)
  })
})

describe('machineLoopbackMbit fallback', () => {
  it('measures with Node, with a note, where the writer cannot be built (no gcc)', async () => {
    const cache = tempCache()
    const path = process.env.PATH
    process.env.PATH = '/nonexistent'
    let buildError: unknown
    try {
      ensureLoopbackWriter(cache)
    } catch (error) {
      buildError = error
    } finally {
      process.env.PATH = path
    }
    expect(buildError).toBeInstanceOf(SetupError)
    expect((buildError as Error).message).toContain('gcc')

    const notes: string[] = []
    const mbit = await machineLoopbackMbit(1, 4 * MiB, { writer: () => { throw buildError as Error }, note: (line) => notes.push(line) })
    expect(mbit).not.toBeNull()
    expect(mbit as number).toBeGreaterThan(0)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(/needs `gcc`.*measured with Node instead/)
  })

  it('falls back to Node where the writer fails to run', async () => {
    const notes: string[] = []
    const mbit = await machineLoopbackMbit(1, 4 * MiB, { writer: () => '/nonexistent/loopback-writer', note: (line) => notes.push(line) })
    expect(mbit as number).toBeGreaterThan(0)
    expect(notes[0]).toMatch(/loopback-writer failed/)
  })
})

describe.skipIf(!hasGcc)('the C writer (gcc present)', () => {
  it('is built once into the cache and measures a transfer', async () => {
    const cache = tempCache()
    const binary = ensureLoopbackWriter(cache)
    const builtAtMs = statSync(binary).mtimeMs
    expect(ensureLoopbackWriter(cache)).toBe(binary)
    expect(statSync(binary).mtimeMs).toBe(builtAtMs)

    const run = spawnSync(binary, [String(4 * MiB), '2'], { encoding: 'utf8', timeout: 60_000 })
    expect(run.status).toBe(0)
    const samples = parseWriterOutput(run.stdout)
    expect(samples).toHaveLength(2)
    for (const sample of samples) {
      expect(sample.bytes).toBeGreaterThanOrEqual(4 * MiB)
      expect(sample.deliverUs).toBeGreaterThanOrEqual(sample.writeUs)
    }
    const notes: string[] = []
    expect(await writerLoopbackMbit(binary, 1, 4 * MiB)).toBeGreaterThan(0)
    expect(await machineLoopbackMbit(1, 4 * MiB, { writer: () => binary, note: (line) => notes.push(line) })).toBeGreaterThan(0)
    expect(notes).toEqual([])
  })

  it('rejects bad arguments with exit 2', () => {
    const binary = ensureLoopbackWriter(tempCache())
    for (const args of [['12', 'x'], [String(MiB), '1', '12'], [String(MiB), '1', 'x'], [String(MiB)]]) {
      const run = spawnSync(binary, args, { encoding: 'utf8' })
      expect(run.status, args.join(' ')).toBe(2)
      expect(run.stderr).toContain('usage')
    }
  })

  it('times a burst into the drained connection after each transfer', async () => {
    const binary = ensureLoopbackWriter(tempCache())
    const run = spawnSync(binary, [String(4 * MiB), '2', String(2 * MiB)], { encoding: 'utf8', timeout: 60_000 })
    expect(run.status).toBe(0)
    const samples = parseWriterOutput(run.stdout)
    expect(samples).toHaveLength(2)
    for (const sample of samples) {
      expect(sample.burstBytes).toBeGreaterThanOrEqual(2 * MiB)
      expect(sample.burstBytes).toBeLessThan(2 * MiB + 64 * 4104)
      expect(sample.burstDeliverUs).toBeGreaterThanOrEqual(sample.burstWriteUs as number)
    }
    const rates = await writerBurstRates(binary, 1, 4 * MiB, 2 * MiB)
    expect(rates.burstWriteMbit).toBeGreaterThan(0)
    expect(rates.sustainedMbit).toBeGreaterThan(0)
    expect(await machineLoopbackMbit(1, 4 * MiB, { writer: () => binary, burstBytes: 2 * MiB, onRates: (heard) => { expect(heard.burstWriteMbit).toBeGreaterThan(0) } })).toBeGreaterThan(0)
  })
})
