// Goal: `cutover migrate --vms N [--stagger-s S]` migrates N VMs from one source so they contend for its link, with a
// result per VM: two together each take about twice as long as one alone, four about four times; staggered
// starts are reported; bad combinations exit 2 naming the flag.
// Method: spawn the real binary on a small QEMU-style pre-copy (max-bandwidth = link, so the link is the limit).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BASE = ['migrate', '--strategy', 'precopy-qemu', '--mem-mib', '128', '--workload', 'hotset', '--hot-mib', '16', '--dirty-pages-per-s', '1000', '--json']

function cutover(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/cutover.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

interface Many { vms: number; makespanMs: number; lostWrites: number; migrations: { vmId: string; startedAtMs: number; totalTimeMs: number; outcome: string; rounds: unknown[] }[] }

describe('cutover migrate --vms', () => {
  it('shares the source link: per-VM time grows with the number of VMs migrating together', () => {
    const one = JSON.parse(cutover(...BASE).stdout) as { totalTimeMs: number }
    const two = JSON.parse(cutover(...BASE, '--vms', '2').stdout) as Many
    const four = JSON.parse(cutover(...BASE, '--vms', '4').stdout) as Many
    expect(two.migrations.map((m) => m.vmId)).toEqual(['vm-0001', 'vm-0002'])
    expect(four.migrations).toHaveLength(4)
    for (const many of [two, four]) {
      expect(many.lostWrites).toBe(0)
      for (const m of many.migrations) {
        expect(m.outcome).toBe('completed')
        expect(m.rounds.length).toBeGreaterThan(0)
      }
    }
    const ratio2 = two.migrations[0].totalTimeMs / one.totalTimeMs
    const ratio4 = four.migrations[0].totalTimeMs / one.totalTimeMs
    expect(ratio2).toBeGreaterThan(1.7)
    expect(ratio2).toBeLessThan(2.5)
    expect(ratio4).toBeGreaterThan(3.4)
    expect(ratio4).toBeLessThan(5)
  }, 120_000)

  it('staggers the starts with --stagger-s and the later ones finish sooner than together', () => {
    const together = JSON.parse(cutover(...BASE, '--vms', '3').stdout) as Many
    const staggered = JSON.parse(cutover(...BASE, '--vms', '3', '--stagger-s', '1').stdout) as Many
    expect(staggered.migrations.map((m) => m.startedAtMs)).toEqual([0, 1000, 2000])
    expect(staggered.migrations[0].totalTimeMs).toBeLessThan(together.migrations[0].totalTimeMs)
  }, 120_000)

  it('exits 2 naming the flag for a bad count or a single-VM feature', () => {
    const zero = cutover('migrate', '--vms', '0')
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain('--vms')
    const fault = cutover('migrate', '--vms', '2', '--fault', 'link-down@precopy')
    expect(fault.code).toBe(2)
    expect(fault.stderr).toContain('--fault')
  })
})
