// Goal: `cutover sweep` runs (policy, seed) pairs on worker threads with the same results as the main thread
// and as `cutover run`, writes CSV/JSON per the contract, and shards joined by `cutover merge` equal the
// unsharded sweep. Method: seed/shard parsers in-process; short sweeps of the two-hosts preset via the binary.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSeeds, parseShard, sweepTasks, toCsv } from '../../cli/commands/sweep'
import { checkShards, mergeRuns, parseCsvRuns, type ShardFile } from '../../cli/commands/merge'
import { runsInShard } from '../../cli/support/sweep-identity'
import { RUN_SUMMARY_FIELDS, type RunSummary } from '../../engine/metrics/summary'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'cutover-sweep-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function cutover(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/cutover.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

interface Doc { sweep: { id: string; shard: { index: number; count: number }; runsTotal: number } | null; runs: RunSummary[]; summary: Record<string, Record<string, { mean: number; ci95: number; n: number }>> }
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Doc
const SWEEP = ['sweep', 'two-hosts', '--policies', 'drs,thr-mmt', '--seeds', '1-3', '--hours', '2']

describe('sweep arguments', () => {
  it('parses seed lists and ranges, and shards', () => {
    expect(parseSeeds('1-3,7,2')).toEqual([1, 2, 3, 7])
    expect(() => parseSeeds('5-1')).toThrow(/runs backwards/)
    expect(() => parseSeeds('a')).toThrow(/--seeds/)
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 })
    expect(() => parseShard('0/4')).toThrow(/--shard/)
  })

  it('splits the (policy, seed) pairs into interleaved shards that cover them once', () => {
    const all = sweepTasks('{}', 'x', ['a', 'b'], [1, 2, 3], {} as never).map((t) => `${t.policy}/${t.seed}`)
    const shards = [1, 2, 3].flatMap((i) => sweepTasks('{}', 'x', ['a', 'b'], [1, 2, 3], { shard: `${i}/3` } as never).map((t) => `${t.policy}/${t.seed}`))
    expect([...shards].sort()).toEqual([...all].sort())
    expect(all).toHaveLength(6)
  })

  it('round-trips runs through CSV and refuses to merge conflicting runs', () => {
    const run = Object.fromEntries(RUN_SUMMARY_FIELDS.map((f) => [f, f === 'policy' ? 'drs' : f === 'traceHash' ? 'abc' : 1])) as unknown as RunSummary
    expect(parseCsvRuns(toCsv([run]), 'x.csv')).toEqual({ label: 'x.csv', identity: null, runs: [run] })
    const identity = { id: '0123456789abcdef', shard: { index: 2, count: 3 }, runsTotal: 7 }
    expect(parseCsvRuns(toCsv([run], identity), 'x.csv').identity).toEqual(identity)
    expect(() => mergeRuns([[run], [{ ...run, traceHash: 'def' }]])).toThrow(/different trace hashes/)
    expect(mergeRuns([[run], [run]])).toEqual([run])
  })
})

describe('shard completeness', () => {
  const run = (policy: string, seed: number) => ({ ...Object.fromEntries(RUN_SUMMARY_FIELDS.map((f) => [f, 1])), policy, seed, traceHash: `${policy}${seed}` }) as unknown as RunSummary
  const shard = (index: number, count: number, runs: RunSummary[], id = 'aaaaaaaaaaaaaaaa', runsTotal = 4): ShardFile =>
    ({ label: `s${index}-${id.slice(0, 1)}.json`, identity: { id, shard: { index, count }, runsTotal }, runs })
  const one = shard(1, 2, [run('a', 1), run('b', 1)])
  const two = shard(2, 2, [run('a', 2), run('b', 2)])

  it('accepts every shard once, each whole, as the complete sweep', () => {
    expect(checkShards([two, one])).toEqual({ problems: [], identity: { id: 'aaaaaaaaaaaaaaaa', shard: { index: 1, count: 1 }, runsTotal: 4 } })
  })

  it('reports missing, duplicate and truncated shards, foreign sweeps and files without an identity', () => {
    expect(checkShards([one]).problems).toEqual(['missing shard 2/2 of sweep aaaaaaaaaaaaaaaa'])
    expect(checkShards([one, one, two]).problems).toEqual(['shard 1/2 appears twice (s1-a.json and s1-a.json)'])
    expect(checkShards([one, shard(2, 2, [run('a', 2)])]).problems).toEqual(['s2-a.json: shard 2/2 holds 1 of its 2 runs'])
    expect(checkShards([one, shard(2, 2, two.runs, 'bbbbbbbbbbbbbbbb')]).problems).toEqual(['the files come from 2 different sweeps (aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb)'])
    expect(checkShards([one, shard(2, 3, two.runs)]).problems).toEqual(['the files are shards of different splits (/2, /3)'])
    expect(checkShards([one, two, { label: 'old.csv', identity: null, runs: [] }]).problems)
      .toEqual(['old.csv: says neither its sweep nor its shard (i/n), so completeness cannot be checked'])
    expect(checkShards([one, two, { label: 'old.csv', identity: null, runs: [] }]).identity).toBeNull()
  })

  it('counts the runs of each shard of a round-robin deal', () => {
    const counts = [1, 2, 3].map((index) => runsInShard({ id: 'x', shard: { index, count: 3 }, runsTotal: 7 }))
    expect(counts).toEqual([3, 2, 2])
    expect(runsInShard({ id: 'x', shard: { index: 5, count: 5 }, runsTotal: 3 })).toBe(0)
  })
})

describe('cutover sweep', () => {
  const parallel = join(scratch, 'parallel.json')
  const serial = join(scratch, 'serial.json')
  let ranParallel: ReturnType<typeof cutover>
  let ranSerial: ReturnType<typeof cutover>
  beforeAll(() => {
    ranParallel = cutover(...SWEEP, '--workers', '2', '--out', parallel)
    ranSerial = cutover(...SWEEP, '--workers', '0', '--out', serial, '--json')
  })

  it('gives the same runs on worker threads as on the main thread, in (policy, seed) order', () => {
    expect(ranParallel.code).toBe(0)
    expect(ranSerial.code).toBe(0)
    const doc = read(parallel)
    expect(doc.runs.map((r) => `${r.policy}/${r.seed}`)).toEqual(['drs/1', 'drs/2', 'drs/3', 'thr-mmt/1', 'thr-mmt/2', 'thr-mmt/3'])
    expect(read(serial)).toEqual(doc)
    expect(JSON.parse(ranSerial.stdout)).toEqual(doc)
    expect(doc.summary.drs.energyKWh.n).toBe(3)
    expect(ranParallel.stdout).toMatch(/mean ± 95% CI\s+drs\s+thr-mmt/)
    expect(ranParallel.stderr).toMatch(/6 runs on 2 worker/)
  })

  it('matches `cutover run` for the same policy and seed', () => {
    const single = JSON.parse(cutover('run', 'two-hosts', '--policy', 'thr-mmt', '--seed', '2', '--hours', '2', '--json').stdout) as RunSummary
    expect(read(parallel).runs.find((r) => r.policy === 'thr-mmt' && r.seed === 2)).toEqual(single)
  })

  it('joins shards with `cutover merge` into the unsharded result', () => {
    const shardA = join(scratch, 'a.csv')
    const shardB = join(scratch, 'b.json')
    expect(cutover(...SWEEP, '--shard', '1/2', '--out', shardA).code).toBe(0)
    expect(cutover(...SWEEP, '--shard', '2/2', '--out', shardB).code).toBe(0)
    const merged = join(scratch, 'merged.json')
    expect(cutover('merge', shardA, shardB, '--out', merged).code).toBe(0)
    expect(read(merged)).toEqual(read(parallel))
    expect(readFileSync(shardA, 'utf8').split('\n')[0]).toBe([...RUN_SUMMARY_FIELDS, 'sweepId', 'shard', 'sweepRuns'].join(','))
    const id = read(parallel).sweep?.id
    expect(id).toMatch(/^[0-9a-f]{16}$/)
    expect(read(shardB).sweep).toEqual({ id, shard: { index: 2, count: 2 }, runsTotal: 6 })
    expect(readFileSync(shardA, 'utf8').split('\n')[1].endsWith(`,${id},1/2,6`)).toBe(true)
  })

  it('refuses an incomplete set of shards unless --allow-partial, naming the missing shard', () => {
    const shards = [1, 3].map((i) => join(scratch, `s${i}.json`))
    shards.forEach((path, i) => expect(cutover(...SWEEP, '--workers', '0', '--shard', `${i * 2 + 1}/3`, '--out', path).code).toBe(0))
    const missing = cutover('merge', ...shards, '--json')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/missing shard 2\/3 of sweep [0-9a-f]{16}/)
    expect(missing.stdout).toBe('')
    const partial = cutover('merge', ...shards, '--allow-partial', '--json')
    expect(partial.code).toBe(0)
    expect(partial.stderr).toMatch(/warning: missing shard 2\/3/)
    const doc = JSON.parse(partial.stdout) as Doc
    expect(doc.sweep).toBeNull()
    expect(doc.runs.map((r) => `${r.policy}/${r.seed}`)).toEqual(['drs/1', 'drs/3', 'thr-mmt/1', 'thr-mmt/3'])
  })

  it('rejects an unknown policy before starting any worker', () => {
    const result = cutover('sweep', 'two-hosts', '--policies', 'drs,bogus', '--seeds', '1')
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/unknown policy "bogus"/)
    writeFileSync(join(scratch, 'x.txt'), '')
    expect(cutover('sweep', 'two-hosts', '--policies', 'drs', '--out', join(scratch, 'x.txt')).code).toBe(2)
  })
})
