// Goal: every bad value a careless user or an attacker types is refused with exit 2 and a message naming the
// flag (or the scenario field), before any work starts: huge numbers, unsafe seeds, sizes that would allocate
// until V8 aborts, rates and sampling that would run for hours, unwritable output paths, a directory as a
// scenario, malformed shard files, a non-database history, faults at stages the strategy never enters.
// Method: call the CLI's main() in-process (fast, no spawn) with stderr captured; each case would have
// exited 1 (or looped, or run for minutes) before the fix.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../cli/index'

const scratch = mkdtempSync(join(tmpdir(), 'cutover-bad-input-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const aFile = join(scratch, 'a-file')
writeFileSync(aFile, 'not a directory\n')
const notDb = join(scratch, 'not-a-db.db')
writeFileSync(notDb, 'this is not a SQLite file at all, just text\n')

let stderr = ''
let stdout = ''
beforeEach(() => {
  stderr = ''
  stdout = ''
  process.exitCode = undefined
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true })
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true })
})
afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = undefined
})

async function refused(args: string[], names: RegExp): Promise<void> {
  const code = await main(args)
  expect({ code, stderr }, args.join(' ')).toMatchObject({ code: 2, stderr: expect.stringMatching(names) })
  expect(stderr).not.toMatch(/\n\s+at /) // no stack trace
  expect(stdout).toBe('')
}

const MIGRATE = ['migrate', '--mem-mib', '16', '--json']

describe('bad values exit 2 naming the flag', () => {
  it.each([
    [['--rate-max-mbit', '1e308'], /--rate-max-mbit: must be at most/],
    [['--strategy', 'precopy-qemu', '--max-bandwidth-mbit', '1e308'], /--max-bandwidth-mbit: must be at most/],
    [['--rate-min-mbit', '1e308'], /--rate-min-mbit/],
    [['--page-kib', '3'], /--page-kib: pageBytes: expected a power of two/],
    [['--fault', 'dest-crash@1e15s'], /--fault:/],
    [['--fault', 'dest-crash@1000000000000000s'], /--fault: time must be at most 86400s/],
    [['--seed', '1e308'], /--seed: must be at most 9007199254740991/],
    [['--workload', 'hotset', '--dirty-pages-per-s', '1e9'], /--dirty-pages-per-s: must be at most 10000000/],
    [['--workload', 'muncher', '--write-mbit-per-s', '1e12'], /--write-mbit-per-s: must be at most/],
    [['--filled-mib', '1024'], /--filled-mib: more than the memory \(16 MiB\)/],
    [['--strategy', 'postcopy', '--fault', 'dest-crash@precopy'], /--fault: dest-crash@precopy would never fire: --strategy postcopy never enters precopy/],
    [['--strategy', 'stop-and-copy', '--fault', 'link-down@postcopy'], /--fault: .*never enters postcopy/],
    [['--trace-out', join(aFile, 'trace.jsonl')], /--trace-out: cannot write/],
    [['--trace-out', scratch], /--trace-out: .* is a directory/]
  ])('migrate %j', async (flags, message) => {
    await refused([...MIGRATE, ...flags], message)
  })

  it.each([
    [['--sample-ms', '0.001'], /--sample-ms: must be at least 1/],
    [['--sample-ms', '1', '--duration-s', '86400'], /--sample-ms: .* samples, at most 100000/],
    [['--page-kib', '3'], /--page-kib: pageBytes/],
    [['--seed', '1e308'], /--seed/]
  ])('wws %j', async (flags, message) => {
    await refused(['wws', '--mem-mib', '16', '--json', ...flags], message)
  })

  it.each([
    [['small-cluster', '--hours', '1e9'], /--hours: must be at most 8784/],
    [['small-cluster', '--seed', '1e308'], /--seed: must be at most/],
    [['small-cluster', '--policy-interval-s', '1e308'], /--policy-interval-s/],
    [['scenarios'], /scenario: scenarios is not a file/],
    [['dc-1000x20000', '--hours', '8000'], /--hours: sampleIntervalS: 20000 VMs × 8000 h .* demand samples/],
    [['small-cluster', '--hours', '0.01', '--out', join(aFile, 'sub')], /--out: cannot use .* as an output directory/]
  ])('run %j', async (args, message) => {
    await refused(['run', ...args], message)
  })

  it('run refuses a scenario whose counts would allocate until the process dies, naming the field', async () => {
    const huge = join(scratch, 'huge.json')
    const host = { count: 1e9, cores: 4, mipsPerCore: 1000, memGiB: 16 }
    const vm = { count: 1e9, mipsPerVcpu: 1000, memMiB: 512, cpu: { kind: 'constant', util: 0.1 } }
    writeFileSync(huge, JSON.stringify({ name: 'huge', hosts: [host], vms: [vm] }))
    await refused(['run', huge], /hosts\[0\]\.count: expected a number ≤ 10000, got 1000000000/)
    writeFileSync(huge, JSON.stringify({ name: 'huge', hosts: [{ ...host, count: 10 }], vms: [vm] }))
    await refused(['run', huge], /vms\[0\]\.count: expected a number ≤ 100000/)
    const many = Array.from({ length: 20 }, () => ({ ...vm, count: 99_999 }))
    writeFileSync(huge, JSON.stringify({ name: 'huge', hosts: [{ ...host, count: 10 }], vms: many }))
    await refused(['run', huge], /vms: expected at most 100000 VMs in total \(sum of count\), got 1999980/)
    writeFileSync(huge, JSON.stringify({ name: 'huge', durationH: 1e9, hosts: [{ ...host, count: 10 }], vms: [{ ...vm, count: 10 }] }))
    await refused(['run', huge], /durationH: expected a number ≤ 8784/)
  })

  it('run refuses a scenario that describes no real machine', async () => {
    const odd = join(scratch, 'odd.json')
    const host = { count: 2, cores: 4, mipsPerCore: 1000, memGiB: 16 }
    const vm = { count: 2, mipsPerVcpu: 1000, memMiB: 512, cpu: { kind: 'constant', util: 0.1 } }
    writeFileSync(odd, JSON.stringify({ name: 'odd', hosts: [{ ...host, power: { kind: 'linear', idleW: 300, maxW: 200 } }], vms: [vm] }))
    await refused(['run', odd], /hosts\[0\]\.power\.idleW: expected at most maxW \(200\), got 300/)
    writeFileSync(odd, JSON.stringify({ name: 'odd', hosts: [host], vms: [{ ...vm, vcpus: 8 }] }))
    await refused(['run', odd], /vms\[0\]\.vcpus: more than the largest host's cores \(4\), got 8/)
  })

  it.each([
    [['--seeds', '9007199254740992'], /--seeds: 9007199254740992 is above the largest seed/],
    [['--seeds', '9007199254740990-9007199254740999'], /--seeds: .*above the largest seed/],
    [['--seeds', '1-90000,100000-190000'], /--seeds: 180001 seeds × 2 policies are more than 100000 runs/],
    [['--seeds', '1-60000'], /--seeds: 60000 seeds × 2 policies are more than 100000 runs/],
    [['--seeds', '1', '--out', join(aFile, 'x.csv')], /--out: cannot write/],
    [['--seeds', '1', '--out', scratch + '/'], /--out: expected a .csv or .json file/],
    [['--seeds', '1', '--hours', '1e9'], /--hours: must be at most/]
  ])('sweep %j', async (flags, message) => {
    await refused(['sweep', 'two-hosts', '--policies', 'none,drs', ...flags], message)
  })

  it('merge refuses documents that are not sweep outputs, naming the file and path', async () => {
    const nullDoc = join(scratch, 'null.json')
    writeFileSync(nullDoc, 'null\n')
    await refused(['merge', nullDoc], /null\.json: expected a sweep document/)
    const nullRun = join(scratch, 'null-run.json')
    writeFileSync(nullRun, '{"runs":[null]}\n')
    await refused(['merge', '--allow-partial', nullRun], /null-run\.json: runs\[0\]: expected an object/)
    const badField = join(scratch, 'bad-field.json')
    writeFileSync(badField, JSON.stringify({ runs: [{ policy: 'none', seed: 'x' }] }))
    await refused(['merge', '--allow-partial', badField], /bad-field\.json: runs\[0\]\.seed/)
  })

  it('history --offset beyond a safe integer, and serve --db on a non-database', async () => {
    await refused(['history', 'list', '--db', join(scratch, 'h.db'), '--offset', '1e308'], /--offset: must be at most 9007199254740991/)
    await refused(['serve', '--db', notDb], /--db: .* is not a Cutover history database/)
    await refused(['history', 'export', '--db', join(scratch, 'h.db'), '--format', 'csv', '--out', join(aFile, 'x.csv')], /--out: cannot write/)
  })
})
