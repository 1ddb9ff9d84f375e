// Goal (issue 15, acceptance): in `cutover run scenarios/maintenance-evacuation.json --json --out DIR` migrations
// share the network: at every instant the migrations leaving (or entering) a host together never exceed the
// share of its NIC that migrations may use (10 GbE × bandwidthShare 0.5), with either migration model.
// Method: spawn the real binary, replay events.jsonl and sum each host's migration rates over time.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'cutover-run-network-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

interface Event { kind: string; atUs: number; migrationId?: string; sourceHostId?: string; targetHostId?: string; rateMbitPerS?: number }

/** Per host and direction, the largest sum of concurrent migration rates, and the most migrations at once. */
function peakLoads(events: Event[]): { peakMbitPerS: Map<string, number>; mostConcurrent: number; rateChanges: number } {
  const running = new Map<string, { source: string; target: string; rate: number }>()
  const peakMbitPerS = new Map<string, number>()
  let mostConcurrent = 0
  let rateChanges = 0
  const settle = (): void => {
    const load = new Map<string, number>()
    for (const m of running.values()) {
      load.set(`${m.source} out`, (load.get(`${m.source} out`) ?? 0) + m.rate)
      load.set(`${m.target} in`, (load.get(`${m.target} in`) ?? 0) + m.rate)
    }
    for (const [key, sum] of load) peakMbitPerS.set(key, Math.max(peakMbitPerS.get(key) ?? 0, sum))
    const fromOneHost = new Map<string, number>()
    for (const m of running.values()) fromOneHost.set(m.source, (fromOneHost.get(m.source) ?? 0) + 1)
    mostConcurrent = Math.max(mostConcurrent, ...fromOneHost.values(), 0)
  }
  // Rates are read once every event of an instant has been applied (a start and the re-share it causes share a µs).
  for (let i = 0; i < events.length; i++) {
    const event = events[i]
    if (event.kind === 'migration.started') running.set(event.migrationId ?? '', { source: event.sourceHostId ?? '', target: event.targetHostId ?? '', rate: event.rateMbitPerS ?? 0 })
    if (event.kind === 'migration.rate') {
      rateChanges++
      const m = running.get(event.migrationId ?? '')
      if (m !== undefined) m.rate = event.rateMbitPerS ?? 0
    }
    if (event.kind === 'migration.ended') running.delete(event.migrationId ?? '')
    if (i + 1 === events.length || events[i + 1].atUs !== event.atUs) settle()
  }
  return { peakMbitPerS, mostConcurrent, rateChanges }
}

describe('cutover run: migrations share the network', () => {
  for (const model of ['estimate', 'page']) {
    it(`maintenance-evacuation (--migration-model ${model}): concurrent migrations from one host never exceed its NIC share`, () => {
      const out = join(scratch, model)
      const result = spawnSync(process.execPath, ['bin/cutover.js', 'run', 'scenarios/maintenance-evacuation.json', '--json', '--out', out, '--migration-model', model],
        { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
      expect(result.status, result.stderr).toBe(0)
      const summary = JSON.parse(result.stdout) as { migrations: number; lostWrites: number }
      expect(summary.migrations).toBeGreaterThan(4)
      const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Event)
      const { peakMbitPerS, mostConcurrent, rateChanges } = peakLoads(events)
      // Not vacuous: host-0001's evacuation runs two migrations at once and their rates are re-shared.
      expect(mostConcurrent).toBeGreaterThanOrEqual(2)
      expect(rateChanges).toBeGreaterThan(0)
      expect(peakMbitPerS.get('host-0001 out')).toBeCloseTo(5000, 3)
      for (const [key, peak] of peakMbitPerS) expect(peak, key).toBeLessThanOrEqual(5000 + 1e-6)
    }, 300_000)
  }
})
