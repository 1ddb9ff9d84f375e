// Goal: `cutover run` honours the CLI contract: `--json` prints exactly the summary fields, the same seed gives
// the same traceHash, bad input exits 2 naming the flag or scenario field path, `--out` writes the summary and
// every event; `scenarios`, `schema` and `policies` list what ships; a plugin policy loads by name.
// Method: spawn the real binary (node bin/cutover.js) from the repo root on short runs of small presets.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { RUN_SUMMARY_FIELDS } from '../../engine/metrics/summary'
import { openHistoryDb } from '../../migrations-db'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'cutover-run-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function cutover(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/cutover.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('cutover run', () => {
  it('prints exactly the contract\'s summary fields with --json, deterministically per seed', () => {
    const first = cutover('run', 'scenarios/small-cluster.json', '--policy', 'mad-mmt', '--hours', '2', '--json')
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const summary = JSON.parse(first.stdout) as Record<string, unknown>
    expect(Object.keys(summary)).toEqual([...RUN_SUMMARY_FIELDS])
    expect(summary).toMatchObject({ policy: 'mad-mmt', seed: 1, simulatedS: 7200, hosts: 10, vms: 40, lostWrites: null })
    const again = JSON.parse(cutover('run', 'small-cluster', '--policy', 'mad-mmt', '--hours', '2', '--json').stdout) as Record<string, unknown>
    expect(again.traceHash).toBe(summary.traceHash)
    const other = JSON.parse(cutover('run', 'small-cluster', '--policy', 'mad-mmt', '--hours', '2', '--seed', '2', '--json').stdout) as Record<string, unknown>
    expect(other.traceHash).not.toBe(summary.traceHash)
  })

  it('exits 2 with the field path for an invalid scenario, and names the flag for a bad policy or parameter', () => {
    const bad = join(scratch, 'bad.json')
    const host = { cores: 2, mipsPerCore: 1000, memGiB: 4 }
    writeFileSync(bad, JSON.stringify({ name: 'bad', hosts: [host, host, host, { ...host, memGiB: -4 }], vms: [{ mipsPerVcpu: 1, memMiB: 1, cpu: { kind: 'constant', util: 0.1 } }] }))
    const invalid = cutover('run', bad, '--json')
    expect(invalid.code).toBe(2)
    expect(invalid.stdout).toBe('')
    expect(invalid.stderr).toContain('hosts[3].memGiB: expected a positive number, got -4')
    const notJson = join(scratch, 'broken.json')
    writeFileSync(notJson, '{ "name": ')
    expect(cutover('run', notJson).stderr).toMatch(/broken\.json: not valid JSON/)
    const policy = cutover('run', 'two-hosts', '--policy', 'nope')
    expect(policy.code).toBe(2)
    expect(policy.stderr).toMatch(/--policy: unknown policy "nope"/)
    expect(cutover('run', 'two-hosts', '--policy', 'drs', '--param', 'threshold=7').stderr).toMatch(/threshold: must be at most 5/)
    expect(cutover('run', 'no-such-preset').code).toBe(2)
  })

  it('writes summary.json and events.jsonl with --out, with page-level migrations', () => {
    const out = join(scratch, 'out')
    const result = cutover('run', 'maintenance-evacuation', '--hours', '2', '--out', out, '--migration-model', 'page', '--json')
    expect(result.code).toBe(0)
    expect(result.stderr).not.toMatch(/falls back|not wired/)
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>
    expect(summary).toEqual(JSON.parse(result.stdout))
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string })
    expect(events[0].kind).toBe('dc.started')
    expect(events.at(-1)?.kind).toBe('dc.finished')
    expect(events.some((e) => e.kind === 'maintenance.completed')).toBe(true)
    const ended = events.filter((e) => e.kind === 'migration.ended') as unknown as { lostWrites: number | null; rounds: number }[]
    expect(ended.length).toBeGreaterThan(0)
    expect(ended.every((e) => e.lostWrites === 0 && e.rounds >= 1)).toBe(true)
  })

  it('records the run in the history with --db: every migration with its cause, decisions, an audit chain that verifies', () => {
    const dbPath = join(scratch, 'history.db')
    const estimated = cutover('run', 'small-cluster', '--policy', 'thr-mmt', '--hours', '6', '--json', '--db', dbPath)
    expect(estimated.code).toBe(0)
    expect(estimated.stderr).toMatch(/recorded run 1 in/)
    const paged = cutover('run', 'two-hosts', '--hours', '2', '--migration-model', 'page', '--json', '--db', dbPath)
    expect(paged.code).toBe(0)
    const estimatedSummary = JSON.parse(estimated.stdout) as { migrations: number; traceHash: string }
    const pagedSummary = JSON.parse(paged.stdout) as { migrations: number; traceHash: string }
    expect(estimatedSummary.migrations).toBeGreaterThan(0)
    const db = openHistoryDb(dbPath, { readonly: true })
    try {
      const runs = db.listRuns().reverse()
      expect(runs.map((run) => [run.scenario, run.policy, run.traceHash])).toEqual([
        ['small-cluster', 'thr-mmt', estimatedSummary.traceHash], ['two-hosts', expect.any(String), pagedSummary.traceHash]
      ])
      const first = db.listMigrations({ filters: { runId: runs[0].id }, limit: 1000 }).rows
      expect(first).toHaveLength(estimatedSummary.migrations)
      expect(new Set(first.map((row) => row.strategy))).toEqual(new Set(['precopy-estimate']))
      expect(first.every((row) => row.trigger === 'policy' && row.reason.length > 0)).toBe(true)
      const second = db.listMigrations({ filters: { runId: runs[1].id }, limit: 1000 }).rows
      expect(second).toHaveLength(pagedSummary.migrations)
      expect(db.getMigration(second[0].id)?.rounds.length).toBeGreaterThan(1)
      expect(db.verifyAudit().ok).toBe(true)
    } finally {
      db.close()
    }
    // Without --db nothing is written; a file that is not a history database exits 2 naming the flag.
    const notDb = join(scratch, 'not-a-db.txt')
    writeFileSync(notDb, 'hello')
    const refused = cutover('run', 'small-cluster', '--hours', '1', '--db', notDb)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--db .*not-a-db\.txt/)
  })

  it('loads a plugin policy by name', () => {
    const plugin = join(scratch, 'noop-policy.mjs')
    writeFileSync(plugin, `export default { info: { name: 'noop', summary: 'does nothing', params: [] },
      create: () => ({ name: 'noop', decide: () => ({ proposals: [], skipped: [], notes: {} }) }) }\n`)
    const result = cutover('run', 'two-hosts', '--plugin', plugin, '--policy', 'noop', '--hours', '1', '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ policy: 'noop', migrations: 0 })
  })

  it('lists presets, policies and the scenario JSON Schema', () => {
    const presets = cutover('scenarios')
    expect(presets.code).toBe(0)
    for (const name of ['small-cluster', 'planetlab-like', 'dc-1000', 'maintenance-evacuation', 'host-failure-ha', 'planetlab-800', 'dc-1000x20000']) {
      expect(presets.stdout).toMatch(new RegExp(`^${name} `, 'm'))
    }
    const policies = JSON.parse(cutover('policies', '--json').stdout) as { name: string }[]
    expect(policies.map((p) => p.name)).toEqual(['none', 'thr-mmt', 'iqr-mmt', 'mad-mmt', 'lr-mmt', 'lrr-mmt', 'drs', 'sandpiper', 'consolidate'])
    const schema = JSON.parse(cutover('schema').stdout) as { $schema: string; properties: Record<string, unknown> }
    expect(schema.$schema).toMatch(/json-schema/)
    expect(schema.properties).toHaveProperty('hosts')
  })
})
