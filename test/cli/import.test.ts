// Goal: `cutover import` turns a PlanetLab-format folder or a generic CSV into a runnable scenario, names with
// spaces included, and refuses bad files with exit 2 naming the file and line.
// Method: the CLI's main() in-process on temporary folders; the output scenario is validated and run.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { main as cutoverMain } from '../../cli/index'
import { runDatacenter } from '../../engine/index'
import { parseTracePack } from '../../engine/scenario/trace-pack'
import { validateScenario } from '../../engine/scenario/validate'

interface CliResult { code: number; stdout: string; stderr: string }

async function run(...args: string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true })
  try {
    return { code: await cutoverMain(args), stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cutover import '))
}

function planetlabFolder(files: Record<string, number[]>): string {
  const dir = join(tempDir(), 'my traces')
  mkdirSync(dir)
  for (const [name, values] of Object.entries(files)) writeFileSync(join(dir, name), values.map((v) => `${v}\n`).join(''))
  return dir
}

const day = (base: number) => Array.from({ length: 288 }, (_, k) => (base + k * 7) % 100)

describe('cutover import planetlab', () => {
  test('a folder with spaces in its and its files\' names becomes a scenario that validates and runs', async () => {
    const dir = planetlabFolder({ 'node b_ rnp slice': day(5), 'node a': day(40), 'node c': day(70), 'node d': day(1), 'node e': day(3) })
    const out = join(dir, '..', 'out scenario.json')
    const result = await run('import', 'planetlab', dir, '--out', out, '--hosts', '6')
    expect(result.stderr).toContain('wrote')
    expect(result.code).toBe(0)
    const validation = validateScenario(JSON.parse(readFileSync(out, 'utf8')))
    if (!validation.ok) throw new Error(validation.errors.join('\n'))
    const scenario = validation.scenario
    expect(scenario.hosts.length).toBe(6)
    expect(scenario.vms.map((g) => [g.name, g.count, g.mipsPerVcpu])).toEqual([
      ['high-cpu-medium', 2, 2500], ['extra-large', 2, 2000], ['small', 1, 1000]
    ])
    const pack = parseTracePack(scenario.traces?.pack ?? '')
    expect(pack.names).toEqual(['node a', 'node b_ rnp slice', 'node c', 'node d', 'node e'])
    expect(pack.samplesPct[288]).toBe(5)
    const summary = runDatacenter({ scenario, seed: 1, policy: 'lr-mmt' })
    expect(summary.vms).toBe(5)
    expect(summary.energyKWh).toBeGreaterThan(0)
  })

  test('a bad line exits 2 naming the file and line', async () => {
    const dir = planetlabFolder({ 'good one': day(1), 'bad one': [...day(2).slice(0, 10), 'x' as unknown as number, ...day(2).slice(11)] })
    const result = await run('import', 'planetlab', dir)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${join(dir, 'bad one')}:11: expected a CPU utilisation percentage 0…100, got "x"`)
  })

  test('files of unequal length are refused naming the file', async () => {
    const dir = planetlabFolder({ a: day(1), b: day(1).slice(0, 200) })
    const result = await run('import', 'planetlab', dir)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${join(dir, 'b')}:201: 200 samples, but a has 288`)
  })
})

describe('cutover import csv', () => {
  test('rows in any order, quoted names with commas and spaces, gaps held; prints the scenario on stdout', async () => {
    const file = join(tempDir(), 'traces.csv')
    writeFileSync(file, 'vm,time_s,cpu_pct,mem_pct\n"web, 1",600,30,50\n"web, 1",0,10,50\ndb two,0,5,20\ndb two,300,15,20\n"web, 1",300,20,50\n')
    const result = await run('import', 'csv', file, '--hosts', '2')
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('mem_pct is validated but not replayed')
    const validation = validateScenario(JSON.parse(result.stdout))
    if (!validation.ok) throw new Error(validation.errors.join('\n'))
    expect(validation.scenario.sampleIntervalS).toBe(300)
    expect(validation.scenario.durationH).toBeCloseTo(0.25, 9)
    const pack = parseTracePack(validation.scenario.traces?.pack ?? '')
    expect(pack.names).toEqual(['db two', 'web, 1'])
    expect([...pack.samplesPct]).toEqual([5, 15, 15, 10, 20, 30])
  })

  test.each([
    ['vm,time,cpu\na,0,1\n', 1, 'expected the header vm,time_s,cpu_pct[,mem_pct]'],
    ['vm,time_s,cpu_pct\na,0,1\na,300,abc\n', 3, 'cpu_pct: expected a percentage 0…100, got "abc"'],
    ['vm,time_s,cpu_pct\na,0,1\na,300,2\nb,100,3\n', 4, 'time_s: 100 is not a multiple of the 300 s sample interval'],
    ['vm,time_s,cpu_pct\na,0,1\na,300,2\na,0,2\n', 4, 'vm "a" has a second sample at time_s 0'],
    ['vm,time_s,cpu_pct\na,-5,1\n', 2, 'time_s: expected a non-negative number of seconds, got "-5"']
  ])('bad CSV %#: exit 2 naming the line', async (text, line, reason) => {
    const file = join(tempDir(), 'bad traces.csv')
    writeFileSync(file, text)
    const result = await run('import', 'csv', file)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${file}:${line}: `)
    expect(result.stderr).toContain(reason)
  })
})
